from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "kehu.core.org"
    label = "org"
    verbose_name = "组织 Organisation"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kehu.core.org.services import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="kehu.org.roles_sync")

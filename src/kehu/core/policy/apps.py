from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "kehu.core.policy"
    label = "policy"
    verbose_name = "规则设置 Policy"

    def ready(self) -> None:
        from django.core import checks
        from django.utils.module_loading import autodiscover_modules

        from kehu.core.policy import kernel_schemas, profiles  # noqa: F401  (register at import)
        from kehu.core.policy.checks import check_policy_registry

        # Every installed app's ``policy.py`` registers its schema and profile overrides.
        autodiscover_modules("policy")
        checks.register(check_policy_registry, "kehu")

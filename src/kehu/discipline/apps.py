from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "kehu.discipline"
    label = "discipline"
    verbose_name = "奖惩 Rewards and penalties"

    def ready(self) -> None:
        # Home-page queue counters register on import; they must exist whether or not the
        # discipline URLs were loaded (API-only workers, tests rendering the home page).
        from kehu.discipline import appeals_selectors, queues  # noqa: F401

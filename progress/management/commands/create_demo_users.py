"""Create the demo learner and admin that `make run` prints, so a newcomer can log in at once.

Idempotent: existing accounts are left as they are (their passwords are not reset).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO = [
    ("learner", "learner-demo-pass", False),
    ("admin", "admin-demo-pass", True),
]


class Command(BaseCommand):
    help = "Create a demo learner and a demo admin (idempotent)."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, password, is_admin in DEMO:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": is_admin, "is_superuser": is_admin}
            )
            if created:
                user.set_password(password)
                user.save()
            state = "created" if created else "exists, password unchanged"
            role = "admin (superuser)" if is_admin else "learner"
            self.stdout.write(
                f"Demo {role}: username {username!r}, password {password!r} ({state})"
            )

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: holders, AASC staff and NAAEI reviewers. Email is the login."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self):
        return self.get_full_name() or self.email

    @property
    def public_name(self):
        """The name public pages (certificate and packet checks) show: never the email."""
        return self.get_full_name() or "Name not on file"


class ContactProfile(models.Model):
    """The holder's contact details; step 1 of a renewal confirms them for the cycle."""

    # The details a holder keeps and confirms, in the order forms, imports, exports and
    # merges list them.
    CONTACT_FIELDS = (
        "phone",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "employer",
        "job_title",
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    phone = models.CharField(max_length=30, blank=True)
    address_line1 = models.CharField("street address", max_length=200, blank=True)
    address_line2 = models.CharField("apartment, suite, etc.", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField("ZIP code", max_length=20, blank=True)
    employer = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    # The office's own number for the holder (its association software's member id);
    # imports match holders by it. Blank for holders who signed up themselves.
    member_id = models.CharField(
        "member ID", max_length=30, unique=True, null=True, blank=True, default=None
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Contact details of {self.user}"

    @property
    def is_complete(self):
        """Everything the office needs to reach the holder by mail and phone."""
        return all(
            [
                self.user.first_name,
                self.user.last_name,
                self.phone,
                self.address_line1,
                self.city,
                self.state,
                self.postal_code,
            ]
        )

    @property
    def mailing_address_lines(self):
        city_line = " ".join(
            part
            for part in [f"{self.city}," if self.city else "", self.state, self.postal_code]
            if part
        )
        return [line for line in [self.address_line1, self.address_line2, city_line] if line]

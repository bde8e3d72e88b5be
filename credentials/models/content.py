from django.db import models


class FaqEntry(models.Model):
    """A question on the FAQ page; AASC staff edit these in admin."""

    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    position = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question


class OfficeContact(models.Model):
    """How to reach the AASC office; the contact page shows the first row."""

    name = models.CharField(max_length=200, default="AASC Office")
    street = models.CharField(max_length=200, blank=True)
    city_line = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField("office hours", max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name = "office contact details"
        verbose_name_plural = "office contact details"

    def __str__(self):
        return self.name

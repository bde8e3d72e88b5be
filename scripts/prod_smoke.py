#!/usr/bin/env python3
"""The production shape, started on loopback and driven over HTTP (`make prod-smoke`).

Starts, each on a free 127.0.0.1 port: a throwaway PostgreSQL cluster, redis-server,
localstripe, an SMTP sink (aiosmtpd) as the mail server, gunicorn with 2 workers
(deploy/gunicorn.conf.py), two Celery workers and Celery beat, all with production
settings (DJANGO_PRODUCTION=true, DEBUG off; only SECURE_SSL_REDIRECT and SECURE_COOKIES
are off, because the run speaks plain http on loopback). Then:

  1. migrates, collects static files, creates a holder, an office account and a
     membership due for renewal, and issues the holder's renewal;
  2. /healthz (database, migrations, the shared cache, Redis) and /healthz/workers (with
     the monitoring token; 403 without) answer 200;
  3. the holder signs in through the login form, opens the renewal page and the invoice
     PDF, and pays the invoice by card: the pay page's SetupIntent is confirmed at
     localstripe with a test card (what Stripe.js does), the portal charges it, and
     localstripe's webhook reaches gunicorn and marks the invoice paid;
  4. the invoice and receipt mails arrive at the SMTP sink;
  5. the year's invoice run for the membership starts; one Celery worker is killed
     (SIGKILL) in the middle of it; every holder still gets exactly one invoice mail;
  6. logs are JSON lines with request ids; with Redis (broker and cache), then PostgreSQL
     stopped, /healthz answers 503 naming the parts.

Everything it started is stopped whatever happens. It prints a PASS/FAIL line per check
and a summary, and exits non-zero on any failure. `--keep` keeps the logs folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEMBERS = 40  # holders in the year's invoice run
CHUNK_SIZE = 4
HOLDER_EMAIL = "smoke-holder@example.org"
STAFF_EMAIL = "smoke-staff@example.org"
TEST_CARD = "4242424242424242"
VISIBILITY_TIMEOUT = 15  # seconds before a killed worker's tasks go to the other worker


class CheckFailed(Exception):
    pass


# --- the seed and issue steps run inside a Django process with the production env -------


def seed(password: str) -> dict:
    """A holder who signs in, an office account, MEMBERS holders due for renewal, and the
    holder's own renewal issued (its invoice mail queued to the workers)."""
    import datetime as dt

    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group
    from django.db import transaction

    from credentials import roles, rules, selectors
    from credentials.models import ContactProfile, Credential, CredentialType, User
    from credentials.services.renewals import issue_renewal_for
    from payments.models import Invoice

    year = rules.renewal_year_on(selectors.today())
    cam = CredentialType.objects.get(code="CAM")
    with transaction.atomic():
        people = [(HOLDER_EMAIL, "Holly", "Smoke", password)] + [
            (f"member{n:03d}@example.org", "Member", f"{n:03d}", None) for n in range(MEMBERS)
        ]
        holders = []
        for number, (address, first, last, secret) in enumerate(people):
            user = User.objects.create_user(
                email=address, password=secret, first_name=first, last_name=last
            )
            EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
            ContactProfile.objects.create(
                user=user,
                phone="(719) 555-0100",
                address_line1=f"{number + 1} Tejon St",
                city="Colorado Springs",
                state="CO",
                postal_code="80903",
            )
            Credential.objects.create(
                holder=user,
                credential_type=cam,
                number=f"CAM-SMOKE-{number:04d}",
                earned_on=dt.date(2019, 5, 1),
                valid_through=dt.date(year - 1, 12, 31),
            )
            holders.append(user)
        staff = User.objects.create_user(
            email=STAFF_EMAIL, password=password, first_name="Sam", last_name="Office"
        )
        staff.is_staff = True
        staff.save()
        staff.groups.add(Group.objects.get(name=roles.AASC_STAFF))
        EmailAddress.objects.create(user=staff, email=STAFF_EMAIL, verified=True, primary=True)
    issue_renewal_for(holders[0], year)
    invoice = Invoice.objects.get(renewal__holder=holders[0], renewal__year=year)
    return {"year": year, "invoice": invoice.number, "total_cents": invoice.total_cents}


def start_run(year: int) -> dict:
    import django

    django.setup()
    from credentials.services.issue_runs import start_issue_run

    run = start_issue_run(year, chunk_size=CHUNK_SIZE)
    return {"run": run.pk}


# --- the run ---------------------------------------------------------------------------


class Smoke:
    def __init__(self, keep: bool):
        from tests.deploy.services import PostgresCluster, SmtpSink

        self.keep = keep
        self.folder = Path(tempfile.mkdtemp(prefix="portal-prod-smoke-"))
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.postgres = PostgresCluster()
        self.smtp = SmtpSink()
        self.processes: dict[str, subprocess.Popen] = {}
        self.results: list[tuple[str, bool, str]] = []
        self.password = "smoke-" + secrets.token_urlsafe(12)
        self.started = time.monotonic()

    # -- bookkeeping --

    def say(self, text):
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", flush=True)

    def check(self, name, ok, detail=""):
        self.results.append((name, bool(ok), detail))
        self.say(f"{'PASS' if ok else 'FAIL'}  {name}{f' ({detail})' if detail else ''}")
        if not ok:
            raise CheckFailed(name)

    def log_tail(self, name, lines=40):
        from tests.support.processes import tail

        return tail(self.logs / f"{name}.log", lines)

    # -- processes --

    def start(self, name, command, env=None):
        from tests.support.processes import start_group

        self.processes[name] = start_group(
            command, log_path=self.logs / f"{name}.log", env=env or self.env, cwd=ROOT
        )
        return self.processes[name]

    def wait(self, condition, timeout, what, interval=0.3):
        from tests.support.processes import wait_for

        try:
            return wait_for(condition, timeout=timeout, interval=interval, message=what)
        except TimeoutError as exc:
            raise CheckFailed(str(exc)) from exc

    def stop(self, name, sig=signal.SIGTERM):
        from tests.support.processes import kill_group

        process = self.processes.pop(name, None)
        if process is not None:
            kill_group(process, sig, timeout=15)

    def stop_everything(self):
        for name in reversed(list(self.processes)):
            try:
                self.stop(name)
            except Exception:  # keep stopping the others
                traceback.print_exc()
        self.smtp.stop()
        self.postgres.stop()
        if self.keep:
            self.say(f"logs kept in {self.logs}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    def manage(self, *args, timeout=300):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise CheckFailed(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def django_step(self, step, *args):
        result = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), step, *map(str, args)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise CheckFailed(f"{step} failed:\n{result.stderr[-3000:]}")
        marked = [line for line in result.stdout.splitlines() if line.startswith("SMOKE_RESULT=")]
        if not marked:
            raise CheckFailed(f"{step} printed no result:\n{result.stdout[-2000:]}")
        return json.loads(marked[-1].split("=", 1)[1])

    def sql(self, statement):
        return self.postgres.sql(statement, "portal")

    # -- the steps --

    def start_services(self):
        from tests.support.localstripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET
        from tests.support.processes import free_port

        self.postgres.start()
        database_url = self.postgres.create_database("portal")
        self.say(f"PostgreSQL on 127.0.0.1:{self.postgres.port}")

        redis_port = free_port()
        self.start(
            "redis",
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1",
             "--port", str(redis_port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            env=dict(os.environ),
        )  # fmt: skip
        self.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        self.say(f"Redis on 127.0.0.1:{redis_port}")

        self.smtp.start()
        self.say(f"SMTP sink on 127.0.0.1:{self.smtp.port}")

        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.start(
            "localstripe",
            [sys.executable, "scripts/localstripe_server.py", "--port", "0",
             "--webhook-url", f"{self.base}/payments/stripe/webhook/",
             "--webhook-secret", WEBHOOK_SECRET],
            env=dict(os.environ),
        )  # fmt: skip

        def localstripe_port():
            match = re.search(r"LOCALSTRIPE_PORT=(\d+)", self.log_tail("localstripe", 5))
            return int(match.group(1)) if match else None

        from tests.support.localstripe import LocalStripe

        self.localstripe = LocalStripe(self.wait(localstripe_port, 30, "localstripe's port"))
        self.say(f"localstripe on {self.localstripe.url}")

        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "STRIPE_", "CELERY_", "S3_"))
            and key not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "MEDIA_STORAGE")
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="renewal_portal.settings",
            PYTHONPATH=str(ROOT),
            DJANGO_PRODUCTION="true",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=self.base,
            SITE_URL=self.base,
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            OFFICE_MFA_REQUIRED="true",
            DATABASE_URL=database_url,
            DB_CONN_MAX_AGE="60",
            REDIS_URL=self.redis_url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_URL=self.smtp.url,
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_API_BASE=self.localstripe.url,
            STRIPE_JS_URL=self.localstripe.js_url,
            MEDIA_ROOT=str(self.folder / "media"),
            STATIC_ROOT=str(self.folder / "static"),
            LOG_LEVEL="INFO",
            GUNICORN_BIND=f"127.0.0.1:{self.web_port}",
            WEB_CONCURRENCY="2",
            HEALTHZ_WORKERS_TOKEN=secrets.token_urlsafe(32),
        )

    def prepare_database(self):
        self.manage("check", "--deploy", "--fail-level", "ERROR")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.seeded = self.django_step("_seed", self.password)
        self.say(
            f"seeded {MEMBERS} members and {HOLDER_EMAIL}; renewal year {self.seeded['year']}, "
            f"invoice {self.seeded['invoice']}"
        )

    def start_portal(self):
        python = sys.executable
        self.start("web", [python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                           "renewal_portal.wsgi"])  # fmt: skip
        for name in ("worker-a", "worker-b"):
            self.start(
                name,
                [python, "-m", "celery", "-A", "renewal_portal", "worker",
                 "--hostname", f"smoke-{name}@%h", "--concurrency", "1", "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle"],
            )  # fmt: skip
        self.start(
            "beat",
            [python, "-m", "celery", "-A", "renewal_portal", "beat", "--loglevel", "INFO",
             "--schedule", str(self.folder / "beat-schedule"),
             "--pidfile", str(self.folder / "beat.pid")],
        )  # fmt: skip
        import requests

        def web_up():
            try:
                return requests.get(f"{self.base}/healthz/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        self.wait(web_up, 60, "gunicorn to answer /healthz/")
        for name in ("worker-a", "worker-b"):
            self.wait(lambda n=name: " ready." in self.log_tail(n, 400), 60, f"{name} ready")
        self.wait(lambda: "beat: Starting" in self.log_tail("beat", 400), 60, "beat to start")
        self.say("gunicorn (2 workers), two Celery workers and beat are running")

    def health_checks(self):
        import requests

        response = requests.get(f"{self.base}/healthz/", params={"format": "json"}, timeout=10)
        body = response.json()
        self.check(
            "/healthz answers 200: database, migrations, the shared cache, Redis",
            response.status_code == 200 and len(body) == 4 and set(body.values()) == {"OK"},
            ", ".join(body),
        )

        anonymous = requests.get(f"{self.base}/healthz/workers/", timeout=15)
        self.check(
            "/healthz/workers refuses a caller without the monitoring token (403)",
            anonymous.status_code == 403,
            str(anonymous.status_code),
        )

        def workers_answer():
            reply = requests.get(
                f"{self.base}/healthz/workers/",
                headers={"Authorization": f"Bearer {self.env['HEALTHZ_WORKERS_TOKEN']}"},
                timeout=15,
            )
            return reply.status_code == 200

        self.check("/healthz/workers answers the monitor 200: the Celery workers answer a ping",
                   self._eventually(workers_answer, 30))  # fmt: skip
        self.check(
            "debug is off: an unknown page is a plain 404",
            (r := requests.get(f"{self.base}/no-such-page/", timeout=10)).status_code == 404
            and "Traceback" not in r.text
            and "URLconf" not in r.text,
        )

    def _eventually(self, condition, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return True
            except Exception:
                pass
            if time.monotonic() > deadline:
                return False
            time.sleep(1)

    def _csrf(self, html):
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise CheckFailed("no CSRF token on the page")
        return match.group(1)

    def sign_in(self, email):
        import requests

        session = requests.Session()
        page = session.get(f"{self.base}/accounts/login/", timeout=10)
        response = session.post(
            f"{self.base}/accounts/login/",
            data={"login": email, "password": self.password,
                  "csrfmiddlewaretoken": self._csrf(page.text)},
            headers={"Referer": f"{self.base}/accounts/login/"},
            timeout=20,
        )  # fmt: skip
        return session, response

    def holder_journey(self):
        session, response = self.sign_in(HOLDER_EMAIL)
        self.check(
            "the holder signs in through the login form",
            response.status_code == 200
            and "/accounts/login/" not in response.url
            and "sessionid" in session.cookies,
            response.url,
        )
        self.session = session
        number = self.seeded["invoice"]
        renewal = session.get(f"{self.base}/renewal/", timeout=20)
        self.check(
            "the renewal page shows the invoice",
            renewal.status_code == 200 and number in renewal.text,
            f"invoice {number}",
        )
        pdf = session.get(f"{self.base}/payments/invoices/{number}/pdf/", timeout=60)
        self.check(
            "the invoice PDF downloads",
            pdf.status_code == 200
            and pdf.headers.get("Content-Type") == "application/pdf"
            and pdf.content.startswith(b"%PDF"),
            f"{len(pdf.content)} bytes",
        )
        self.pay_invoice(number)

    def pay_invoice(self, number):
        session = self.session
        page = session.get(f"{self.base}/payments/pay/{number}/", timeout=30)
        # The card form lives in a same-origin frame of its own (only it loads Stripe.js).
        frame = re.search(r'<iframe class="card-frame" src="([^"]+)"', page.text)
        pay = session.get(self.base + frame.group(1), timeout=30) if frame else page
        setup_secret = re.search(r'data-setup-secret="([^"]+)"', pay.text)
        confirm_url = re.search(r'data-confirm-url="([^"]+)"', pay.text)
        self.check(
            "the pay page's card frame offers the card form (a SetupIntent from localstripe)",
            page.status_code == 200
            and frame is not None
            and pay.status_code == 200
            and setup_secret
            and confirm_url,
        )
        # What Stripe.js does in the browser: the card goes to Stripe, not to the portal.
        status, body = self.localstripe.confirm_setup_intent(setup_secret.group(1), TEST_CARD)
        self.check("localstripe sets up the test card", status == 200 and
                   body.get("status") == "succeeded", body.get("status", status))  # fmt: skip
        confirm = session.post(
            self.base + confirm_url.group(1),
            data={"csrfmiddlewaretoken": self._csrf(pay.text), "setup_intent": body["id"]},
            headers={"Referer": pay.url},
            timeout=30,
        )
        state = confirm.json().get("status") if confirm.status_code == 200 else confirm.text
        self.check(
            "the portal charges the card through localstripe",
            confirm.status_code == 200 and state in ("processing", "succeeded"),
            f"payment {state}",
        )

        def paid():
            rows = self.sql(f"SELECT status FROM payments_invoice WHERE number = '{number}'")
            return rows and rows[0][0] == "paid"

        def webhook_answered():
            return any(
                'POST /payments/stripe/webhook/ HTTP/1.1" 200' in record.get("message", "")
                for record in self.json_lines("web")
            )

        # Both, each in its own time: the payment status page may mark the invoice paid
        # (it asks the provider) a moment before localstripe's webhook arrives.
        self.check(
            "localstripe's webhook reaches gunicorn and the invoice is paid",
            self._eventually(paid, 30) and self._eventually(webhook_answered, 30),
        )

    def mails_for_the_holder(self):
        number = self.seeded["invoice"]
        got_invoice = self.smtp.wait_for(
            lambda: self.smtp.to(HOLDER_EMAIL, f"renewal invoice {number}"), 120
        )
        invoice_mail = self.smtp.to(HOLDER_EMAIL, f"renewal invoice {number}")
        self.check(
            "the invoice mail reaches the SMTP sink, with the PDF",
            got_invoice
            and len(invoice_mail) == 1
            and any(
                part.get_content_type() == "application/pdf"
                for part in invoice_mail[0].iter_attachments()
            ),
        )
        got_receipt = self.smtp.wait_for(
            lambda: self.smtp.to(HOLDER_EMAIL, f"payment received for invoice {number}"), 120
        )
        self.check(
            "the receipt mail reaches the SMTP sink",
            got_receipt
            and len(self.smtp.to(HOLDER_EMAIL, f"payment received for invoice {number}")) == 1,
        )

    def office_needs_two_factor(self):
        session, response = self.sign_in(STAFF_EMAIL)
        landing = session.get(f"{self.base}/renewal/", timeout=20, allow_redirects=False)
        self.check(
            "an office account must set up two-factor authentication first",
            landing.status_code == 302 and "/accounts/2fa/" in landing.headers.get("Location", ""),
            landing.headers.get("Location", str(landing.status_code)),
        )

    def invoice_run_survives_a_killed_worker(self):
        year = self.seeded["year"]
        # The run covers every holder due, the smoke holder too, whose renewal was issued
        # before: it must not be mailed a second time.
        members = {f"member{n:03d}@example.org" for n in range(MEMBERS)} | {HOLDER_EMAIL}

        def invoice_mails():
            return [
                (recipients, message)
                for recipients, message in self.smtp.messages()
                if f"{year} credential renewal invoice" in message["subject"]
                and set(recipients) & members
            ]

        self.django_step("_start_run", year)
        self.say(f"issue run for {year} started: {MEMBERS} holders in chunks of {CHUNK_SIZE}")
        self.wait(lambda: len(invoice_mails()) >= 2, 180, "the first invoice mails", 0.05)
        busy = "Task credentials.tasks" in self.log_tail("worker-a", 50)
        self.stop("worker-a", signal.SIGKILL)
        sent_at_kill = len(invoice_mails())
        self.check(
            "worker A is killed (SIGKILL) in the middle of the invoice run",
            sent_at_kill < len(members),
            f"{sent_at_kill} of {len(members)} invoice mails sent, worker A "
            f"{'busy' if busy else 'idle'} when killed",
        )
        done = self.smtp.wait_for(lambda: len(invoice_mails()) >= len(members), 420, interval=1)
        time.sleep(VISIBILITY_TIMEOUT + 3)  # a redelivered copy would arrive by now
        # One mail per holder as the holder's mail client shows it: one Message-ID. A worker
        # killed after the mail server took a message but before the send was recorded
        # sends it again (no mail server commits with the database), with the same
        # Message-ID (credentials.services.outbox.message_id_of).
        per_holder, copies = {}, 0
        for recipients, message in invoice_mails():
            for address in set(recipients) & members:
                ids = per_holder.setdefault(address, [])
                copies += message["Message-ID"] in ids
                ids.append(message["Message-ID"])
        twice = sorted(address for address, ids in per_holder.items() if len(set(ids)) > 1)
        self.check(
            "every holder gets exactly one invoice mail",
            done and set(per_holder) == members and not twice,
            f"{len(per_holder)} of {len(members)} holders mailed once"
            + (f"; {copies} copy re-sent after the kill, same Message-ID" if copies else "")
            + (f"; more than one message: {', '.join(twice)}" if twice else ""),
        )
        rows = self.sql(f"SELECT status, holders_total FROM credentials_issuerun WHERE year={year}")
        self.check(
            "the issue run is recorded as done for all holders",
            rows == [("done", len(members))],
            str(rows),
        )

    def json_lines(self, name):
        records = []
        for line in self.log_tail(name, 100000).splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                pass
        return [record for record in records if isinstance(record, dict)]

    def logs_are_json(self):
        lines = [line for line in self.log_tail("web", 100000).splitlines() if line.strip()]
        records = self.json_lines("web")
        access = [r for r in records if r.get("logger") == "gunicorn.access"]
        with_id = [r for r in access if r.get("request_id")]
        self.check(
            "gunicorn logs JSON lines; access lines carry the request id",
            lines and len(records) == len(lines) and access and len(with_id) == len(access),
            f"{len(records)} of {len(lines)} lines JSON, {len(with_id)} access lines with an id",
        )
        records = self.json_lines("worker-b")
        self.check(
            "the Celery worker logs JSON lines too",
            any(r.get("logger", "").startswith("celery") for r in records),
            f"{len(records)} JSON lines",
        )
        errors = [
            f"{name}: {record.get('logger')}: {record.get('message', '')[:150]}"
            for name in ("web", "worker-a", "worker-b", "beat")
            for record in self.json_lines(name)
            if record.get("level") in ("ERROR", "CRITICAL")
        ]
        self.check("no errors logged along the way", not errors, "; ".join(errors[:3]))

    def health_names_the_failing_part(self):
        import requests

        def health():
            reply = requests.get(f"{self.base}/healthz/", params={"format": "json"}, timeout=30)
            return reply.status_code, reply.json(), reply.text

        self.stop("redis", signal.SIGKILL)
        status, body, text = health()
        failing = sorted(key.split("(")[0] for key, value in body.items() if value != "OK")
        # Redis is both the Celery broker and the shared cache.
        self.check(
            "with Redis stopped, /healthz answers 503 naming Redis and the cache",
            status == 503 and failing == ["Cache", "Redis"] and "Traceback" not in text,
            "; ".join(f"{key}: {value}" for key, value in body.items() if value != "OK"),
        )
        self.postgres.stop()
        status, body, text = health()
        self.check(
            "with PostgreSQL stopped too, /healthz answers 503 naming the database",
            status == 503 and body.get("Database(alias='default')", "OK") != "OK"
            and "Traceback" not in text,
            body.get("Database(alias='default')", ""),
        )  # fmt: skip

    def run(self) -> bool:
        failure = None
        try:
            self.start_services()
            self.prepare_database()
            self.start_portal()
            self.health_checks()
            self.holder_journey()
            self.mails_for_the_holder()
            self.office_needs_two_factor()
            self.invoice_run_survives_a_killed_worker()
            self.logs_are_json()
            self.health_names_the_failing_part()
        except CheckFailed as exc:
            failure = str(exc)
        except Exception:
            failure = traceback.format_exc()
        finally:
            if failure:
                self.say(f"stopped at: {failure}")
                for name in ("web", "worker-a", "worker-b", "beat", "localstripe"):
                    print(f"--- last lines of {name}.log ---\n{self.log_tail(name, 25)}")
            self.stop_everything()
        passed = sum(ok for _, ok, _ in self.results)
        failed = len(self.results) - passed
        if failure and failed == 0:
            failed = 1  # a step broke off before any check could fail (a service did not start)
        ok = failure is None and failed == 0
        print()
        print(f"prod-smoke: {'PASS' if ok else 'FAIL'} in {time.monotonic() - self.started:.0f}s")
        # The closing line CI reads: N passed, N failed.
        print(f"prod-smoke: {passed} passed, {failed} failed")
        return ok


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", default="run", choices=["run", "_seed", "_start_run"])
    parser.add_argument("value", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the logs folder")
    args = parser.parse_args(argv)
    if args.step == "_seed":
        print("SMOKE_RESULT=" + json.dumps(seed(args.value)))
        return 0
    if args.step == "_start_run":
        print("SMOKE_RESULT=" + json.dumps(start_run(int(args.value))))
        return 0
    smoke = Smoke(keep=args.keep)
    # A Ctrl-C or a CI timeout's SIGTERM still stops everything (run()'s finally).
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return 0 if smoke.run() else 1
    except KeyboardInterrupt:
        smoke.stop_everything()
        return 130


if __name__ == "__main__":
    sys.exit(main())

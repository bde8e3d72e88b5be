"""Write the sample spreadsheets staff import in the demo (static/samples/): 36 holders,
their credentials and their CEC history, as CSV and Excel, with the column names an
association system exports ("E-mail", "Zip", "Credential #", "Designation"), plus a small
file with mistakes to see the error preview.

    .venv/bin/python scripts/import_samples.py

The files are committed; run this again only to change them.
"""

import csv
import io
import random
from pathlib import Path

import openpyxl

OUT = Path(__file__).resolve().parent.parent / "static" / "samples"

FIRST = [
    "Avery",
    "Blake",
    "Casey",
    "Dana",
    "Emerson",
    "Finley",
    "Gray",
    "Harper",
    "Indira",
    "Jordan",
    "Kendall",
    "Logan",
    "Morgan",
    "Noor",
    "Oakley",
    "Parker",
    "Quinn",
    "Riley",
]
LAST = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Martin",
    "Nguyen",
    "Okafor",
    "Patel",
    "Reyes",
    "Silva",
]
CITIES = [
    ("Colorado Springs", "80903"),
    ("Colorado Springs", "80918"),
    ("Pueblo", "81003"),
    ("Monument", "80132"),
    ("Fountain", "80817"),
    ("Woodland Park", "80863"),
]
EMPLOYERS = [
    "Pikes Peak Living",
    "Garden Gate Residential",
    "Summit Property Group",
    "Front Range Apartments",
    "Cheyenne Mountain Homes",
]
TITLES = [
    "Community Manager",
    "Leasing Consultant",
    "Maintenance Supervisor",
    "Regional Manager",
    "Assistant Manager",
]
STREETS = ["Pine", "Aspen", "Spruce", "Juniper"]
COURSES = [
    ("Fair Housing Essentials", "AASC class", 4),
    ("Resident Retention", "AASC class", 3),
    ("Budgeting for Communities", "In-network", 2),
    ("NAA Education Conference", "In-network", 3),
    ("Customer Service Webinar", "Other", 1.5),
    ("AASC Expo volunteering", "Participation", 2),
    ("Legislative committee", "Participation", 1),
]


def people():
    rng = random.Random(18)
    rows = []
    for n in range(36):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
        city, zip_code = CITIES[n % len(CITIES)]
        rows.append(
            {
                "member": f"AASC-{2001 + n}",
                "first": first,
                "last": last,
                "email": f"{first.lower()}.{last.lower()}{n}@sample.aasc-demo.org",
                "phone": f"(719) 555-{2100 + n:04d}",
                "address": f"{100 + 17 * n} {rng.choice(STREETS)} St",
                "city": city,
                "zip": zip_code,
                "employer": EMPLOYERS[n % len(EMPLOYERS)],
                "title": TITLES[n % len(TITLES)],
            }
        )
    return rows


def write(name, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (OUT / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name.replace("_", " ").title()
    for row in rows:
        sheet.append(row)
    book.save(OUT / f"{name}.xlsx")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    holders = people()
    write(
        "holders",
        [
            [
                "Member ID",
                "First Name",
                "Last Name",
                "E-mail",
                "Phone",
                "Address",
                "City",
                "State",
                "Zip",
                "Company",
                "Job Title",
            ]
        ]
        + [
            [
                p["member"],
                p["first"],
                p["last"],
                p["email"],
                p["phone"],
                p["address"],
                p["city"],
                "CO",
                p["zip"],
                p["employer"],
                p["title"],
            ]
            for p in holders
        ],
    )
    credentials = [
        [
            "Member ID",
            "Email Address",
            "Designation",
            "Credential #",
            "Date Earned",
            "Expiration Date",
            "Status",
        ]
    ]
    for n, p in enumerate(holders):
        credentials.append(
            [
                p["member"],
                "",
                "CAM",
                f"CAM-{40100 + n}",
                f"{2012 + n % 10}-06-15",
                "12/31/2026",
                "Active",
            ]
        )
        if n % 3 == 0:
            # The office's system still says NALP for older CALP holders.
            credentials.append(
                [
                    "",
                    p["email"],
                    "NALP" if n % 2 else "CALP",
                    f"CALP-{71200 + n}",
                    f"{2015 + n % 6}-03-01",
                    "12/31/2026",
                    "Active",
                ]
            )
        if n % 11 == 5:
            credentials.append(
                [p["member"], "", "CAPS", f"CAPS-{9300 + n}", "2016-09-01", "12/31/2023", "Lapsed"]
            )
        if n % 12 == 7:
            credentials.append(
                [p["member"], "", "CAMT", f"CAMT-{500 + n}", "2010-01-10", "", "Active"]
            )
    write("credentials", credentials)
    history = [
        ["Member ID", "Date", "Course", "CEC Hours", "Type", "Provider", "Certificate", "Verified"]
    ]
    for n, p in enumerate(holders):
        for k in range(n % 4 + 1):
            title, kind, hours = COURSES[(n + k) % len(COURSES)]
            history.append(
                [
                    p["member"],
                    f"2026-{1 + (n + 3 * k) % 11:02d}-{5 + k:02d}",
                    title,
                    hours,
                    kind,
                    "AASC" if kind == "AASC class" else "NAA",
                    f"AASC-2026-{n:03d}{k}" if kind == "AASC class" else "",
                    "No" if (n + k) % 13 == 0 else "Yes",
                ]
            )
    write("cec_history", history)
    mistakes = [
        ["Member ID", "First Name", "Last Name", "E-mail", "Zip"],
        ["AASC-2001", "Avery", "Alvarez", "not-an-email", "80903"],
        ["AASC-2902", "Sam", "", "sam.new@sample.aasc-demo.org", "80903"],
        ["AASC-2903", "Sam", "Again", "sam.new@sample.aasc-demo.org", "80903"],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(mistakes)
    (OUT / "holders_with_mistakes.csv").write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()

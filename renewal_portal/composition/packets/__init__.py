"""Audit packets (issue 11): what a renewal's packet holds (packet.py, reading credentials,
cec and payments), its documents (pdf.py), the downloads and the public check (views.py),
and staff's background builds of many packets (services.py, admin.py), a kind of
background run (renewal_portal.infra.runs) whose models, PacketBuild and PacketBuildItem,
live in credentials."""

"""Print a new private key for signing badges, ready for .env (or a file for the _FILE variable)."""

from django.core.management.base import BaseCommand

from portal.credentials.keys import new_private_key_pem


class Command(BaseCommand):
    help = "Print a new badge-signing key: EC P-256 (ES256) by default, or RSA 3072 (RS256) with --rsa."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rsa", action="store_true", help="An RSA key (RS256), the most widely supported."
        )
        parser.add_argument("--pem", action="store_true", help="Print the PEM as it is, for a key file.")

    def handle(self, *args, **options):
        pem = new_private_key_pem("RSA" if options["rsa"] else "EC").strip()
        if options["pem"]:
            self.stdout.write(pem)
        else:
            escaped = pem.replace("\n", "\\n")
            self.stdout.write(f'CREDENTIALS_SIGNING_KEY="{escaped}"')

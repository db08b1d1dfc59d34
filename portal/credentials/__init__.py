"""The credentials engine: what the portal issues so that people can carry it elsewhere.

- ``keys``: the portal's signing key (from the environment) and every public key it has used;
- ``badges``: Open Badges 3.0 credentials, signed as VC-JWT, and their verification;
- ``pdf``: HTML templates to PDF with local fonts and no network;
- ``qr``: QR codes as inline SVG.

Apps (trainers' certificates, an hours record) build their documents on these; the engine knows
nothing of them.
"""

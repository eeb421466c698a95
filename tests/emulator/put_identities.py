#!/usr/bin/env python3
"""Create named SES identities in the emulator and force their DKIM state, for tests that need
exact cases rather than the seed mix. Reads a JSON list on stdin:

  [{"region": "us-east-1", "identity": "example.com", "easy_dkim": true,
    "dkim_enabled": true, "dkim_status": "Success"}, ...]

easy_dkim: create Easy DKIM tokens (domains only). dkim_enabled / dkim_status: forced afterwards
through /_harness/identity when given. {"region", "identity", "delete": true} deletes the identity.
"""
import json
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
items = json.load(sys.stdin)
clients = {}


def ses(region):
    if region not in clients:
        clients[region] = boto3.client("ses", region_name=region, endpoint_url=endpoint,
                                       aws_access_key_id="testing", aws_secret_access_key="testing")
    return clients[region]


forced = []
for it in items:
    c = ses(it["region"])
    name = it["identity"]
    if it.get("delete"):
        c.delete_identity(Identity=name)
        continue
    if "@" in name:
        c.verify_email_identity(EmailAddress=name)
    else:
        c.verify_domain_identity(Domain=name)
        if it.get("easy_dkim"):
            c.verify_domain_dkim(Domain=name)
    state = {k: it[k] for k in ("dkim_enabled", "dkim_status") if k in it}
    if state:
        forced.append({"region": it["region"], "identity": name, **state})

if forced:
    req = urllib.request.Request(endpoint + "/_harness/identity",
                                 data=json.dumps({"items": forced}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
print(len(items))

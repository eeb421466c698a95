#!/usr/bin/env python3
"""Route 53 in the emulator, for tests. Prints JSON.

  route53.py ENDPOINT zones NAME...             create public hosted zones -> {name: id}
  route53.py ENDPOINT records ZONE_ID           every record set -> [{name, type, values}]
  route53.py ENDPOINT put ZONE_ID NAME TYPE V   UPSERT one record
  route53.py ENDPOINT batch ZONE_ID < BATCH     submit a change batch (JSON on stdin)
"""
import json
import sys

import boto3

endpoint, cmd, *args = sys.argv[1:]
r53 = boto3.client("route53", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")

if cmd == "zones":
    out = {n: r53.create_hosted_zone(Name=n, CallerReference=n)["HostedZone"]["Id"].split("/")[-1] for n in args}
elif cmd == "records":
    out = []
    for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=args[0]):
        for rrs in page["ResourceRecordSets"]:
            out.append({"name": rrs["Name"].rstrip("."), "type": rrs["Type"],
                        "values": [v["Value"] for v in rrs.get("ResourceRecords", [])]})
elif cmd == "put":
    zone, name, rtype, value = args
    out = r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": name, "Type": rtype, "TTL": 300,
                                                  "ResourceRecords": [{"Value": value}]}}]})["ChangeInfo"]["Status"]
elif cmd == "batch":
    out = r53.change_resource_record_sets(HostedZoneId=args[0], ChangeBatch=json.load(sys.stdin))["ChangeInfo"]["Status"]
else:
    sys.exit(f"unknown command {cmd}")
print(json.dumps(out))

"""Calls Route53 with boto3, configured by the environment alone as certbot's dns-route53 plugin is.

Reads {"endpoint": "https://127.0.0.1:<port>", "calls": [{"name", "operation", "params", "secretAccessKey"?}]}
on stdin (a parameter "$change" stands for the id of the last change made) and prints
{"results": {name: "ok" | <error code>}, "urls": [every URL a request was sent to]}.
A request about to leave for any URL but the endpoint's is stopped before it is sent (the test's guard that
the environment, not luck, sends botocore to the stand-in on loopback).
"""

import json
import sys

import boto3
from botocore.exceptions import ClientError

request = json.load(sys.stdin)
endpoint = request["endpoint"]
urls = []


def guard(request, **_kwargs):
    urls.append(request.url)
    if not request.url.startswith(endpoint + "/"):
        raise RuntimeError(f"botocore was about to send a request to {request.url}")


default = boto3.client("route53")
default.meta.events.register("before-send.route53", guard)
results = {}
last_change = None
for call in request["calls"]:
    secret = call.get("secretAccessKey")
    if secret:
        # Same key id as the environment's, another secret: a signature the stand-in must refuse.
        key_id = default._request_signer._credentials.access_key
        used = boto3.client("route53", aws_access_key_id=key_id, aws_secret_access_key=secret)
        used.meta.events.register("before-send.route53", guard)
    else:
        used = default
    params = {name: last_change if value == "$change" else value for name, value in call["params"].items()}
    try:
        answer = getattr(used, call["operation"])(**params)
        last_change = answer.get("ChangeInfo", {}).get("Id", last_change)
        results[call["name"]] = "ok"
    except ClientError as error:
        results[call["name"]] = error.response["Error"]["Code"]

json.dump({"results": results, "urls": urls}, sys.stdout)

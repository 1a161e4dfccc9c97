"""A stand-in for Amazon Route53's API on loopback, for the certbot family's system test.

It answers what certbot's dns-route53 plugin (python3-certbot-dns-route53) calls: ListHostedZones,
ChangeResourceRecordSets and GetChange (always INSYNC, once the change is made), over HTTPS, in Route53's
REST-XML protocol as botocore's route53 model reads it. Every request must be signed (AWS Signature Version 4,
service route53, region us-east-1) with the one access key it is given: botocore's own signer recomputes the
signature from the request received.

It enforces an IAM policy document, read afresh from its file for every request: the request's action and
resource (arn:aws:route53:::hostedzone/<id>, arn:aws:route53:::change/<id>, "*" for ListHostedZones) and, for
ChangeResourceRecordSets, the condition keys Route53 documents (route53:ChangeResourceRecordSetsNormalizedRecordNames,
route53:ChangeResourceRecordSetsRecordTypes, route53:ChangeResourceRecordSetsActions) are evaluated as IAM does:
an explicit Deny wins, otherwise a matching Allow is needed. Record names are normalized as Route53's developer guide
("Using IAM policy conditions for fine-grained access control") says: lower case, no trailing dot, characters
other than a-z, 0-9, hyphen, underscore and the dots between labels as \\ooo octal escapes. A refused request
gets AccessDenied (HTTP 403, the error XML Route53 sends). A policy element this evaluator does not know (an
operator, NotAction, ...) refuses the request too, with its name in the message, so the test fails rather than a
policy being half-read.

TXT records written (UPSERT, CREATE) or removed (DELETE) are passed on, before the answer, to
pebble-challtestsrv's management API (/set-txt, /clear-txt), whose DNS server pebble asks for DNS-01.

Usage: route53-standin.py <config JSON file>, the file holding
  {"port", "certificate", "key", "policy", "accessKeyId", "secretAccessKey", "challtestsrv": "http://127.0.0.1:<port>",
   "zones": [{"name": "example.org", "id": "Z..."}], "log": "<file>"}
Each request is logged as one JSON line: {"action", "resource", "allowed", ...}.
"""

import datetime
import fnmatch
import hmac
import http.server
import itertools
import json
import re
import ssl
import sys
import threading
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "https://route53.amazonaws.com/doc/2013-04-01/"
ACCOUNT_USER = "arn:aws:iam::123456789012:user/certbot"

with open(sys.argv[1], encoding="utf-8") as handle:
    CONFIG = json.load(handle)
ZONES = {zone["id"]: zone["name"].rstrip(".").lower() + "." for zone in CONFIG["zones"]}
RECORDS = {zone_id: {} for zone_id in ZONES}  # zone id -> {(name, type): [values]}
CHANGES = {}
CHANGE_IDS = itertools.count(1)
LOCK = threading.Lock()


def log(entry):
    with open(CONFIG["log"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


class Refused(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- IAM policy evaluation -------------------------------------------------------------------------------

STATEMENT_KEYS = {"Sid", "Effect", "Action", "Resource", "Condition"}


def as_list(value):
    return value if isinstance(value, list) else [value]


def wildcard(pattern, value, case_insensitive=False):
    """IAM's * and ? wildcards (fnmatch's [...] escaped: IAM has no character classes)."""
    pattern = pattern.replace("[", "[[]")
    if case_insensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def string_test(operator):
    if operator == "StringEquals":
        return lambda expected, actual: expected == actual
    if operator == "StringLike":
        return lambda expected, actual: wildcard(expected, actual)
    raise Refused(403, "AccessDenied", f"the stand-in does not evaluate the condition operator {operator}")


def condition_holds(operator, key, expected, context):
    """One condition operator on one key, as IAM evaluates it (values of a key are ORed)."""
    expected = as_list(expected)
    if operator.startswith("ForAllValues:"):
        test = string_test(operator[len("ForAllValues:"):])
        # True when the key is absent or empty, as in IAM: every value of the request is among the allowed ones.
        return all(any(test(each, value) for each in expected) for value in context.get(key, []))
    if operator.startswith("ForAnyValue:"):
        test = string_test(operator[len("ForAnyValue:"):])
        return any(any(test(each, value) for each in expected) for value in context.get(key, []))
    test = string_test(operator)
    values = context.get(key)
    if values is None:
        return False
    if len(values) != 1:
        raise Refused(403, "AccessDenied", f"{key} is multivalued: a single-valued operator ({operator}) cannot test it")
    return any(test(each, values[0]) for each in expected)


def statement_matches(statement, action, resource, context):
    unknown = set(statement) - STATEMENT_KEYS
    if unknown:
        raise Refused(403, "AccessDenied", f"the stand-in does not evaluate the policy element(s) {sorted(unknown)}")
    if not any(wildcard(pattern, action, case_insensitive=True) for pattern in as_list(statement["Action"])):
        return False
    if not any(wildcard(pattern, resource) for pattern in as_list(statement["Resource"])):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            if not condition_holds(operator, key, expected, context):
                return False
    return True


def authorize(action, resource, context):
    with open(CONFIG["policy"], encoding="utf-8") as handle:
        policy = json.load(handle)
    allowed = False
    for statement in as_list(policy["Statement"]):
        if statement_matches(statement, action, resource, context):
            if statement["Effect"] == "Deny":
                allowed = False
                break
            allowed = allowed or statement["Effect"] == "Allow"
    log({"action": action, "resource": resource, "context": context, "allowed": allowed})
    if not allowed:
        raise Refused(
            403,
            "AccessDenied",
            f"User: {ACCOUNT_USER} is not authorized to perform: {action} on resource: {resource}"
            f" because no identity-based policy allows the {action} action",
        )


def normalized_name(name):
    """Route53's normalized record name: lower case, no trailing dot, other characters as \\ooo octal escapes."""
    name = name.lower().rstrip(".")
    return "".join(char if re.match(r"[a-z0-9\-_.]", char) else "\\%03o" % ord(char) for char in name)


# --- Signature Version 4 ---------------------------------------------------------------------------------

AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([^,]+), Signature=([0-9a-f]+)$"
)


def check_signature(method, path, headers, body):
    match = AUTHORIZATION.match(headers.get("Authorization", ""))
    if not match:
        raise Refused(403, "MissingAuthenticationToken", "Missing Authentication Token")
    key_id, _, region, service, signed_headers, signature = match.groups()
    if key_id != CONFIG["accessKeyId"]:
        raise Refused(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    if (region, service) != ("us-east-1", "route53"):
        raise Refused(403, "SignatureDoesNotMatch", f"Credential should be scoped to us-east-1/route53, not {region}/{service}")
    request = AWSRequest(
        method=method,
        url=f"https://{headers['Host']}{path}",
        data=body,
        headers={name: headers[name] for name in signed_headers.split(";")},
    )
    request.context["timestamp"] = headers["X-Amz-Date"]
    signer = SigV4Auth(Credentials(CONFIG["accessKeyId"], CONFIG["secretAccessKey"]), "route53", "us-east-1")
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if not hmac.compare_digest(expected, signature):
        raise Refused(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )


# --- Route53 -----------------------------------------------------------------------------------------------


def challtestsrv(endpoint, body):
    request = urllib.request.Request(f"{CONFIG['challtestsrv']}/{endpoint}", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def element(tag, text):
    return f"<{tag}>{escape(text)}</{tag}>"


def change_info(change_id, status):
    return element("Id", f"/change/{change_id}") + element("Status", status) + element("SubmittedAt", CHANGES[change_id])


def list_hosted_zones(_query, _body):
    zones = "".join(
        "<HostedZone>"
        + element("Id", f"/hostedzone/{zone_id}")
        + element("Name", name)
        + element("CallerReference", f"swarm-cluster-test-{zone_id}")
        + "<Config><PrivateZone>false</PrivateZone></Config>"
        + element("ResourceRecordSetCount", str(len(RECORDS[zone_id]) + 2))
        + "</HostedZone>"
        for zone_id, name in sorted(ZONES.items())
    )
    return (
        f"<ListHostedZonesResponse><HostedZones>{zones}</HostedZones><Marker></Marker>"
        "<IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>"
    )


def parse_changes(body):
    root = ET.fromstring(body)
    changes = []
    for change in root.iter(f"{{{NS}}}Change"):
        record = change.find(f"{{{NS}}}ResourceRecordSet")
        changes.append(
            {
                "action": change.findtext(f"{{{NS}}}Action"),
                "name": record.findtext(f"{{{NS}}}Name"),
                "type": record.findtext(f"{{{NS}}}Type"),
                "values": [value.text for value in record.iter(f"{{{NS}}}Value")],
            }
        )
    return changes


def change_record_sets(zone_id, changes):
    """Route53's transactional batch: every change checked first, then all made; TXT ones passed to challtestsrv."""
    records = RECORDS[zone_id]
    for change in changes:
        key = (change["name"].lower().rstrip(".") + ".", change["type"])
        if key[0] != ZONES[zone_id] and not key[0].endswith(f".{ZONES[zone_id]}"):
            raise Refused(400, "InvalidChangeBatch", f"RRSet with DNS name {key[0]} is not permitted in zone {ZONES[zone_id]}")
        if change["action"] == "DELETE" and records.get(key) != change["values"]:
            raise Refused(
                400,
                "InvalidChangeBatch",
                f"Tried to delete resource record set [name='{key[0]}', type='{key[1]}']"
                " but the values provided do not match the current values",
            )
        if change["action"] == "CREATE" and key in records:
            raise Refused(
                400,
                "InvalidChangeBatch",
                f"Tried to create resource record set [name='{key[0]}', type='{key[1]}'] but it already exists",
            )
        if change["action"] not in ("CREATE", "UPSERT", "DELETE"):
            raise Refused(400, "InvalidInput", f"Invalid action {change['action']}")
    for change in changes:
        key = (change["name"].lower().rstrip(".") + ".", change["type"])
        if change["action"] == "DELETE":
            del records[key]
        else:
            records[key] = change["values"]
        if change["type"] == "TXT":
            challtestsrv("clear-txt", {"host": key[0]})
            for value in records.get(key, []):
                challtestsrv("set-txt", {"host": key[0], "value": value.strip('"')})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):
        pass

    def respond(self, status, xml):
        root = xml.replace(">", f' xmlns="{NS}">', 1)
        payload = f'<?xml version="1.0" encoding="UTF-8"?>\n{root}'.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(payload)

    def handle_request(self, method):
        with LOCK:
            self.answer(method)

    def answer(self, method):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))
        url = urllib.parse.urlsplit(self.path)
        try:
            check_signature(method, self.path, self.headers, body)
            route = f"{method} {url.path}"
            if route == "GET /2013-04-01/hostedzone":
                authorize("route53:ListHostedZones", "*", {})
                return self.respond(200, list_hosted_zones(url.query, body))
            match = re.fullmatch(r"POST /2013-04-01/hostedzone/([^/]+)/rrset/?", route)
            if match:
                zone_id = match.group(1)
                changes = parse_changes(body)
                authorize(
                    "route53:ChangeResourceRecordSets",
                    f"arn:aws:route53:::hostedzone/{zone_id}",
                    {
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": sorted(
                            {normalized_name(c["name"]) for c in changes}
                        ),
                        "route53:ChangeResourceRecordSetsRecordTypes": sorted({c["type"] for c in changes}),
                        "route53:ChangeResourceRecordSetsActions": sorted({c["action"] for c in changes}),
                    },
                )
                if zone_id not in ZONES:
                    raise Refused(404, "NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}")
                change_record_sets(zone_id, changes)
                change_id = f"C{next(CHANGE_IDS):012d}"
                CHANGES[change_id] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                info = change_info(change_id, "PENDING")
                return self.respond(
                    200, f"<ChangeResourceRecordSetsResponse><ChangeInfo>{info}</ChangeInfo></ChangeResourceRecordSetsResponse>"
                )
            match = re.fullmatch(r"GET /2013-04-01/change/([^/]+)", route)
            if match:
                change_id = match.group(1)
                authorize("route53:GetChange", f"arn:aws:route53:::change/{change_id}", {})
                if change_id not in CHANGES:
                    raise Refused(404, "NoSuchChange", f"A change with the specified change ID does not exist: {change_id}")
                info = change_info(change_id, "INSYNC")
                return self.respond(200, f"<GetChangeResponse><ChangeInfo>{info}</ChangeInfo></GetChangeResponse>")
            match = re.fullmatch(r"GET /2013-04-01/hostedzone/([^/]+)(/rrset)?", route)
            if match:
                # GetHostedZone and ListResourceRecordSets: judged by the policy, never answered (certbot needs neither).
                action = "route53:ListResourceRecordSets" if match.group(2) else "route53:GetHostedZone"
                authorize(action, f"arn:aws:route53:::hostedzone/{match.group(1)}", {})
                raise Refused(501, "NotImplemented", f"the stand-in does not answer {action}")
            raise Refused(403, "AccessDenied", f"the stand-in knows no operation {route}")
        except Refused as refused:
            log({"refused": refused.code, "message": refused.message, "request": f"{method} {self.path}"})
            kind = "Sender" if refused.status < 500 else "Receiver"
            return self.respond(
                refused.status,
                f"<ErrorResponse><Error><Type>{kind}</Type>{element('Code', refused.code)}"
                f"{element('Message', refused.message)}</Error>"
                "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>",
            )

    def do_GET(self):
        self.handle_request("GET")

    def do_POST(self):
        self.handle_request("POST")


server = http.server.ThreadingHTTPServer(("127.0.0.1", CONFIG["port"]), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CONFIG["certificate"], CONFIG["key"])
server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()

#!/usr/bin/env python3
"""Checks spanwire's OTLP trace request bodies against the official OTLP schema.

Usage: check_otlp.py DIR

DIR holds pairs NAME.json (OTLP/JSON) and NAME.pb (OTLP protobuf) encoding the
same request. For every pair:

1. JSON: strict JSON (no NaN/Infinity literals, no duplicate keys). Enums must be
   integers, 64-bit integers decimal strings, and traceId/spanId/parentSpanId
   (spans and links) lowercase hex of the right length, as OTLP/JSON requires.
   After converting those ids from hex to base64 (the OTLP/JSON hex-id rule), the
   body must parse with google.protobuf.json_format into ExportTraceServiceRequest
   with unknown fields rejected.
2. Protobuf: must decode as ExportTraceServiceRequest, carry no unknown fields, and
   be byte-identical to the reference implementation's deterministic re-encoding
   (field order, minimal varints, proto3 defaults left out).
3. Both must be the same message.

Exits 0 when every pair passes, 1 with a message per problem otherwise, 2 on bad usage.
Needs PyPI opentelemetry-proto and protobuf (tests/otlp/requirements.txt).
"""

import base64
import json
import pathlib
import re
import sys

try:
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
except ImportError as err:  # pragma: no cover - environment problem, not a body problem
    print(f"check_otlp: cannot import the OTLP schema ({err}); "
          "install tests/otlp/requirements.txt", file=sys.stderr)
    sys.exit(2)

ID_FIELDS = {"traceId": 32, "spanId": 16, "parentSpanId": 16}
INT64_FIELDS = {"startTimeUnixNano", "endTimeUnixNano", "timeUnixNano", "intValue"}
ENUM_FIELDS = {"kind", "code"}


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}")


def reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def no_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate JSON key {key!r}")
        obj[key] = value
    return obj


def convert_ids(node, path, owner, problems, where):
    """Checks the OTLP/JSON rules on ids, enums and int64s; turns hex ids into base64.

    `owner` is "span" or "link" when `node` is (inside the list of) spans or links.
    """
    if isinstance(node, list):
        for i, item in enumerate(node):
            convert_ids(item, f"{path}[{i}]", owner, problems, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in list(node.items()):
        here = f"{path}/{key}"
        if key in ID_FIELDS and owner in ("span", "link"):
            length = ID_FIELDS[key]
            if not isinstance(value, str) or not re.fullmatch(f"[0-9a-f]{{{length}}}", value):
                problems.add(where, f"{here} must be {length} lowercase hex digits, got {value!r}")
                continue
            node[key] = base64.b64encode(bytes.fromhex(value)).decode("ascii")
        elif key in ENUM_FIELDS and not isinstance(value, int):
            problems.add(where, f"{here} must be an integer enum value, got {value!r}")
        elif key in INT64_FIELDS and not (isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value)):
            problems.add(where, f"{here} must be a decimal string, got {value!r}")
        else:
            child = {"spans": "span", "links": "link"}.get(key)
            convert_ids(value, here, child, problems, where)


def check_pair(json_path, pb_path, problems):
    where = json_path.stem
    try:
        body = json.loads(json_path.read_bytes().decode("utf-8"),
                          parse_constant=reject_constant, object_pairs_hook=no_duplicate_keys)
    except (UnicodeDecodeError, ValueError) as err:
        problems.add(where, f"JSON body is not strict JSON: {err}")
        return
    convert_ids(body, "", None, problems, where)
    from_json = ExportTraceServiceRequest()
    try:
        json_format.Parse(json.dumps(body, allow_nan=False), from_json, ignore_unknown_fields=False)
    except (json_format.ParseError, ValueError) as err:
        problems.add(where, f"JSON body does not parse as ExportTraceServiceRequest: {err}")
        return

    raw = pb_path.read_bytes()
    from_pb = ExportTraceServiceRequest()
    try:
        from_pb.ParseFromString(raw)
    except Exception as err:  # DecodeError and friends
        problems.add(where, f"protobuf body does not decode: {err}")
        return
    reencoded = from_pb.SerializeToString(deterministic=True)
    if reencoded != raw:
        problems.add(where, "protobuf body differs from the reference re-encoding "
                            f"({len(raw)} vs {len(reencoded)} bytes; first difference at byte "
                            f"{next((i for i, (a, b) in enumerate(zip(raw, reencoded)) if a != b), min(len(raw), len(reencoded)))})")
    json_bytes = from_json.SerializeToString(deterministic=True)
    if json_bytes != reencoded:
        problems.add(where, "JSON and protobuf bodies are different messages:\n"
                            f"--- from JSON\n{from_json}\n--- from protobuf\n{from_pb}")
    if not from_pb.resource_spans:
        print(f"  {where}: empty request")
    else:
        spans = sum(len(ss.spans) for rs in from_pb.resource_spans for ss in rs.scope_spans)
        print(f"  {where}: ok ({spans} spans, {len(raw)} protobuf bytes, {json_path.stat().st_size} JSON bytes)")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = pathlib.Path(argv[1])
    json_files = sorted(directory.glob("*.json"))
    if not json_files:
        print(f"check_otlp: no *.json bodies in {directory}", file=sys.stderr)
        return 1
    problems = Problems()
    for json_path in json_files:
        pb_path = json_path.with_suffix(".pb")
        if not pb_path.exists():
            problems.add(json_path.stem, f"missing {pb_path.name}")
            continue
        check_pair(json_path, pb_path, problems)
    for pb_path in sorted(directory.glob("*.pb")):
        if not pb_path.with_suffix(".json").exists():
            problems.add(pb_path.stem, f"missing {pb_path.stem}.json")
    if problems.items:
        for item in problems.items:
            print(f"check_otlp: {item}", file=sys.stderr)
        print(f"check_otlp: {len(problems.items)} problem(s) in {len(json_files)} bodies", file=sys.stderr)
        return 1
    print(f"check_otlp: {len(json_files)} bodies match the OTLP schema")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

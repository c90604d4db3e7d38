"""The order events of a `tfdump --orders` listing, as dicts of its
key=value fields (the record's own `type` kept, not the order's)."""


def read_events(path):
    events = []
    for line in open(path):
        f = {}
        for kv in line.split():
            if "=" in kv:
                k, v = kv.split("=", 1)
                f.setdefault(k, v)  # the record's type comes first, the order's type later
        if f.get("type") == "order_event":
            events.append(f)
    return events

"""No Qt: API client, refresh flow, policy, clock, errors, events; imports no other desktop part."""

"""What every emulated service shares: answers, requests, routing, clock, signatures, HTTP."""

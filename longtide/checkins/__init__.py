"""After-session check-ins: a short form the client answers a day after a session (after-effects and
their severity), kept for the chart and counted in the outcomes report's adverse-event figures."""

"""What every layer shares and nothing of the project is below: settings (``config``), the data
types (``models``), the button contract the cards and the flows agree on (``buttons``), Webex id
helpers, structured logs, metrics, and the test-only fault points."""

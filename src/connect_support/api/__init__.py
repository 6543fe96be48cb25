"""The ``/v1`` REST surface: request decoding, authentication, errors, pagination,
idempotency and the OpenAPI document. Handlers stay thin and call domain services."""

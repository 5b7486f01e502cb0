/**
 * The service's own CloudWatch metrics, described once: the functions emit them (functions/_shared/metrics.ts,
 * as CloudWatch embedded metric format lines) and the CDK stack graphs and alarms on them, so a name can never
 * exist on one side only.
 */
export const METRICS_NAMESPACE = 'ScimProvisioning';

/** The `service` dimension every metric carries (Powertools' default dimension). */
export const METRICS_SERVICE = 'scim-provisioning';

export const metricNames = {
  /** One per SCIM operation performed, by `operation`. */
  provisioningOperations: 'ProvisioningOperations',
  /** One per refused token request, by `reason`, and summed over all reasons. */
  tokenFailures: 'TokenFailures',
  /** Powertools' cold-start metric, by `function_name`. */
  coldStart: 'ColdStart',
} as const;

export const dimensionNames = {
  service: 'service',
  operation: 'operation',
  reason: 'reason',
  functionName: 'function_name',
} as const;

export const PROVISIONING_OPERATIONS = [
  'create',
  'replace',
  'patch',
  'delete',
  'deactivate',
  'reactivate',
  'list',
  'get',
] as const;

export type ProvisioningOperation = (typeof PROVISIONING_OPERATIONS)[number];

/**
 * Why a token request was refused: the token endpoint's error codes (RFC 6749 §5.2). A closed list keeps the
 * `reason` dimension to a handful of metrics; server failures are not token failures (they are 5xx).
 */
export const TOKEN_FAILURE_REASONS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const;

export type TokenFailureReason = (typeof TOKEN_FAILURE_REASONS)[number];

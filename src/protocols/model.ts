/**
 * Types for AWS's service models as botocore publishes them (service-2.json), documentation
 * stripped. Bonsai's codecs, router and validator are driven by these at run time; the codegen
 * (scripts/codegen.ts) turns the same files into TypeScript types for the providers.
 */

export type Protocol = 'query' | 'ec2' | 'json' | 'rest-json' | 'rest-xml' | 'smithy-rpc-v2-cbor';

export interface ServiceMetadata {
  apiVersion: string;
  endpointPrefix: string;
  protocol: Protocol;
  protocols?: Protocol[];
  jsonVersion?: string;
  targetPrefix?: string;
  serviceId: string;
  signatureVersion?: string;
  signingName?: string;
  globalEndpoint?: string;
  uid?: string;
  xmlNamespace?: string;
  awsQueryCompatible?: Record<string, unknown>;
}

export interface HttpBinding {
  method: string;
  /** e.g. "/{Bucket}/{Key+}?uploads" — path template plus literal query requirements. */
  requestUri: string;
  responseCode?: number;
}

export interface ShapeRef {
  shape: string;
  location?: 'header' | 'headers' | 'querystring' | 'uri' | 'statusCode';
  locationName?: string;
  queryName?: string;
  xmlNamespace?: { prefix?: string; uri: string };
  xmlAttribute?: boolean;
  flattened?: boolean;
  idempotencyToken?: boolean;
  jsonvalue?: boolean;
  hostLabel?: boolean;
  eventpayload?: boolean;
  streaming?: boolean;
  timestampFormat?: 'iso8601' | 'rfc822' | 'unixTimestamp';
  deprecated?: boolean;
  /** Present on operation output refs for query protocols: the <XResult> wrapper. */
  resultWrapper?: string;
}

export interface OperationModel {
  name: string;
  http: HttpBinding;
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  httpChecksum?: { requestChecksumRequired?: boolean; requestAlgorithmMember?: string; requestValidationModeMember?: string; responseAlgorithms?: string[] };
  httpChecksumRequired?: boolean;
  endpoint?: { hostPrefix: string };
  deprecated?: boolean;
  authtype?: string;
  auth?: string[];
  staticContextParams?: Record<string, { value: unknown }>;
  contextParams?: Record<string, unknown>;
}

export type ShapeType =
  | 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'short' | 'byte' | 'boolean'
  | 'blob' | 'timestamp' | 'float' | 'double' | 'bigdecimal' | 'biginteger';

export interface Shape {
  type: ShapeType;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  flattened?: boolean;
  locationName?: string;
  xmlNamespace?: { prefix?: string; uri: string };
  timestampFormat?: 'iso8601' | 'rfc822' | 'unixTimestamp';
  payload?: string;
  exception?: boolean;
  fault?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  streaming?: boolean;
  eventstream?: boolean;
  event?: boolean;
  sensitive?: boolean;
  requiresLength?: boolean;
  union?: boolean;
  document?: boolean;
  deprecated?: boolean;
  box?: boolean;
  wrapper?: boolean;
}

export interface ServiceModel {
  version?: string;
  metadata: ServiceMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

/**
 * What a provider handler receives besides its input: who is asking, where, and the shared
 * facilities (clock, store, logger). Built by the pipeline once a request is authenticated.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { RawRequest, RequestBodyStream } from './http.ts';
import type { Principal } from './principal.ts';
import type { Store } from '../store/types.ts';
import type { SecretBox } from './secrets.ts';

export interface RequestContext {
  requestId: string;
  accountId: string;
  /** The region the request is served in (us-east-1 for global services such as IAM). */
  region: string;
  /** The region the client signed for (aws:RequestedRegion is us-east-1 for IAM whatever this says). */
  signedRegion: string;
  service: string;
  operation: string;
  principal: Principal;
  clock: Clock;
  store: Store;
  /** Seals secrets the store keeps (access key secrets, session credentials). */
  secrets: SecretBox;
  log: Logger;
  request: RawRequest;
  sourceIp: string;
  /** The absolute path of Bonsai's data directory (S3 keeps object files under `<dataDir>/s3/`). */
  dataDir: string;
  /**
   * For operations whose body streams (S3 PutObject, UploadPart): the decoded, verifying body,
   * the same stream as the input's payload member. Its `trailers` are read after it ends.
   */
  requestBody?: RequestBodyStream;
}

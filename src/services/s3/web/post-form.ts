/**
 * Reading a browser POST upload's multipart/form-data body with busboy, as S3 reads it: the
 * fields up to the first file part, then the file, streamed (never buffered); anything after the
 * file is read and ignored. A part named "file" is the file whether or not it has a filename;
 * any other part is a field even when sent with a filename.
 */
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { AwsError } from '../../../core/errors.ts';

/** S3 refuses forms whose fields before the file exceed this many bytes. */
export const MAX_FIELDS_BEFORE_FILE_BYTES = 20 * 1024;

export interface PostFile {
  stream: Readable;
  /** The file name the browser sent ('' without one), path removed. */
  filename: string;
}

export interface PostForm {
  /** Fields before the file, in form order, names as sent. */
  fields: Array<[string, string]>;
  file?: PostFile;
  /** Settles once the whole body was parsed; rejects with MalformedPOSTRequest for a broken body. */
  finished: Promise<void>;
}

export function malformedPost(): AwsError {
  return new AwsError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', { status: 400 });
}

export function notMultipartForm(): AwsError {
  return new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    status: 412,
    fields: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' },
  });
}

function fieldsTooLarge(): AwsError {
  return new AwsError('MaxPostPreDataLengthExceededError', 'Your POST request fields preceeding the upload file was too large.', {
    status: 400,
    fields: { MaxPostPreDataLengthBytes: MAX_FIELDS_BEFORE_FILE_BYTES },
  });
}

/** Whether the Content-Type is multipart/form-data (the only enclosure S3 takes for POST uploads). */
export function isMultipartForm(contentType: string | undefined): boolean {
  return (contentType ?? '').trim().toLowerCase().startsWith('multipart/form-data');
}

function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

/**
 * Parses `body` until the file part. Resolves with the fields before it and the file stream the
 * caller must read to its end (or destroy); `finished` tells whether the rest of the body was well formed.
 */
export function readPostForm(body: Readable, headers: Record<string, string>): Promise<PostForm> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers, preservePath: true, defParamCharset: 'utf8', limits: { fieldSize: MAX_FIELDS_BEFORE_FILE_BYTES + 1 } });
  } catch {
    return Promise.reject(malformedPost());
  }
  return new Promise((resolve, reject) => {
    const fields: Array<[string, string]> = [];
    /** Fields sent as file parts, read before the form is handed over. */
    const pending: Array<Promise<void>> = [];
    let fieldBytes = 0;
    let settled = false;
    let resolveFinished!: () => void;
    let rejectFinished!: (err: unknown) => void;
    const finished = new Promise<void>((res, rej) => {
      resolveFinished = res;
      rejectFinished = rej;
    });
    finished.catch(() => undefined); // observed by the caller when it cares

    const fail = (err: AwsError) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
      rejectFinished(err);
      body.unpipe(parser);
    };
    const handOver = (file: PostFile | undefined) => {
      settled = true;
      void Promise.all(pending).then(() => resolve({ fields, file, finished }), (err: unknown) => reject(err));
    };
    const addField = (name: string, value: string): boolean => {
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (fieldBytes > MAX_FIELDS_BEFORE_FILE_BYTES) {
        fail(fieldsTooLarge());
        return false;
      }
      fields.push([name, value]);
      return true;
    };

    parser.on('field', (name, value) => {
      if (settled) return;
      if (name.toLowerCase() === 'file') {
        // A text part named "file" is the file's content.
        handOver({ stream: Readable.from([Buffer.from(value, 'utf8')]), filename: '' });
        return;
      }
      addField(name, value);
    });
    parser.on('file', (name, stream, info) => {
      if (settled) {
        stream.resume();
        return;
      }
      if (name.toLowerCase() === 'file') {
        handOver({ stream, filename: baseName(info.filename ?? '') });
        return;
      }
      // A field sent with a filename: its content is the value. Keep its place in the order.
      const index = fields.length;
      fields.push([name, '']);
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((res, rej) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const value = Buffer.concat(chunks).toString('utf8');
            fields[index] = [name, value];
            fieldBytes += Buffer.byteLength(value);
            if (fieldBytes > MAX_FIELDS_BEFORE_FILE_BYTES) rej(fieldsTooLarge());
            else res();
          });
          stream.on('error', () => rej(malformedPost()));
        }),
      );
    });
    parser.on('close', () => {
      resolveFinished();
      if (!settled) handOver(undefined);
    });
    parser.on('error', () => fail(malformedPost()));
    body.on('error', (err: unknown) => fail(err instanceof AwsError ? err : malformedPost()));
    body.pipe(parser);
  });
}


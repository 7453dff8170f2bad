/** The part of s3rver (no published types) that test/helpers/s3-server.ts uses. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    port?: number;
    address?: string;
    directory: string;
    silent?: boolean;
    configureBuckets?: Array<{ name: string }>;
  }

  interface FilesystemStore {
    putBucket(name: string): Promise<unknown>;
    listObjects(bucket: string, options: { maxKeys?: number; prefix?: string }): Promise<{ objects: Array<{ key: string }> }>;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    readonly store: FilesystemStore;
    /** Set once run() has started it. */
    readonly httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }
}

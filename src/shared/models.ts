import { z } from 'zod';
import { AppErrorSchema } from './errors';

/** What a user model may be called (the manifest's rule): lower case, digits, `.`, `_`, `-`. */
export const ModelNameSchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit');

/** One Whisper model as the Models view lists it. */
export const ModelRowSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    origin: z.enum(['package', 'user']),
    multilingual: z.boolean(),
    sizeBytes: z.number().int().nonnegative(),
    licence: z.string(),
    dir: z.string(),
    /** The encoder's pinned sha256 (the largest file; every file is pinned and checked). */
    encoderSha256: z.string(),
    /** Every pinned file checked against its hash: null when they all match, else what is wrong. */
    problem: z.string().nullable(),
    /** Names of the profiles whose speech model this is. */
    usedBy: z.array(z.string()),
    /** Where a downloaded model came from (`owner/name@revision`). */
    source: z.string().nullable(),
  })
  .strict();
export type ModelRow = z.infer<typeof ModelRowSchema>;

/** A download's state, sent as it goes (at most ~4 a second) and once when it ends. */
export const ModelDownloadEventSchema = z
  .object({
    repo: z.string(),
    name: z.string(),
    state: z.enum(['starting', 'downloading', 'done', 'failed', 'cancelled']),
    /** The file being fetched, and its place among the files. */
    file: z.string().nullable(),
    fileIndex: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    receivedBytes: z.number().nonnegative(),
    /** Null until every file's size is known. */
    totalBytes: z.number().nonnegative().nullable(),
    /** Over the last few seconds; null before there is enough to say. */
    bytesPerSecond: z.number().nonnegative().nullable(),
    error: AppErrorSchema.nullable(),
  })
  .strict();
export type ModelDownloadEvent = z.infer<typeof ModelDownloadEventSchema>;

export const ModelsOverviewSchema = z
  .object({
    models: z.array(ModelRowSchema),
    /** Folders in the user model folder that are not usable models, as sentences. */
    problems: z.array(z.string()),
    userDir: z.string(),
    /** The download under way, if any (one at a time). */
    download: ModelDownloadEventSchema.nullable(),
    /** The mirror used when the user names none. */
    defaultBaseUrl: z.string(),
  })
  .strict();
export type ModelsOverview = z.infer<typeof ModelsOverviewSchema>;

export const ModelDownloadRequestSchema = z
  .object({
    repo: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'a Hugging Face repository such as Xenova/whisper-tiny.en'),
    name: ModelNameSchema.optional(),
    revision: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w./-]+$/, 'a branch, tag or commit')
      .optional(),
    /** A Hugging Face mirror; Hugging Face itself when absent. */
    baseUrl: z
      .string()
      .url()
      .max(500)
      .regex(/^https?:\/\//, 'an http(s) address')
      .optional(),
  })
  .strict();
export type ModelDownloadRequest = z.infer<typeof ModelDownloadRequestSchema>;

import { z } from 'zod';

/** One preset measured on this machine. */
export const PresetFiguresSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The wake word's compute per second of audio (0.05: 5 % of a core while listening). */
    wakeRtf: z.number().nonnegative(),
    /** Whisper on the bundled recording, warm (model loaded, shapes planned, no cached encoder output). */
    speechMs: z.number().nonnegative(),
    /** speechMs per millisecond of audio. */
    speechRtf: z.number().nonnegative(),
    /** The first pass: model loading and a cold encoder included. */
    firstPassMs: z.number().nonnegative(),
    text: z.string(),
  })
  .strict();
export type PresetFigures = z.infer<typeof PresetFiguresSchema>;

export const MachineCheckSchema = z
  .object({
    /** Length of the bundled recording, seconds. */
    audioSeconds: z.number(),
    cpu: z.object({ model: z.string(), cores: z.number().int() }).strict(),
    presets: z.array(PresetFiguresSchema),
    /** The preset this machine runs best (an id of `presets`). */
    recommended: z.string(),
    /** Why, as a sentence with the figures that decided. */
    reason: z.string(),
    durationMs: z.number(),
  })
  .strict();
export type MachineCheck = z.infer<typeof MachineCheckSchema>;

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Colour on a terminal unless NO_COLOR is set; `--color`/`--no-color` decide first. */
export function useColor(io: CliIO, flags: { color?: boolean | undefined; 'no-color'?: boolean | undefined }): boolean {
  if (flags['no-color']) return false;
  if (flags.color) return true;
  return io.isTTY && !io.env.NO_COLOR;
}

/**
 * One way for every `likewise` command to take its arguments: an option
 * table ({@link CommandSpec}) read with `node:util`'s `parseArgs`, the
 * `--help` text written from the same table, and usage errors printed in one
 * form (`likewise <command>: <problem>` and the help) with exit code 2.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './types';

/** One option of a command. */
export interface CliOption {
  /** A `string` option takes a value (`--out DIR`); a `boolean` one is a switch. */
  type: 'string' | 'boolean';
  /** The value's name in the help (`FILE`, `N`, `DIR`). Default `VALUE`. */
  value?: string;
  /** A one-letter alias (`-h`). */
  short?: string;
  /** May be given more than once: the values come as an array. */
  multiple?: boolean;
  /** Missing is a usage error. */
  required?: boolean;
  /** What it does, for the help; `\n` starts a new line. */
  help: string;
  /** The default, shown in the help as `(default: ...)`. */
  default?: string;
}

/** A command's name, its help texts and its option table. */
export interface CommandSpec {
  /** As typed: `train`. */
  name: string;
  /** One line for `likewise --help`. */
  summary: string;
  /** What follows `likewise <name>` in the usage line: `--events FILE [options]`. */
  usage: string;
  /** A paragraph under the usage line. */
  description: string;
  /** Options by long name, without the dashes, in the order the help lists them. */
  options: Record<string, CliOption>;
  /** Text after the options (examples, notes). */
  notes?: string;
}

/** The values of a command's options: strings, string arrays or booleans; required ones always present. */
export type OptionValues<O extends Record<string, CliOption>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean'
    ? boolean | undefined
    : O[K]['multiple'] extends true
      ? string[] | (O[K]['required'] extends true ? never : undefined)
      : string | (O[K]['required'] extends true ? never : undefined);
};

/**
 * A problem with the arguments: {@link runCommand} prints its message and
 * the help, and resolves 2. Thrown by the option checks below, and by a
 * command body for any argument it refuses before doing work.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Gives a spec its exact type (literal option names and types), for {@link OptionValues}. */
export function defineCommand<const S extends CommandSpec>(spec: S): S {
  return spec;
}

const HELP_OPTION: CliOption = { type: 'boolean', short: 'h', help: 'print this help' };

/** The `--help` text of a command. */
export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, help: HELP_OPTION };
  const heads = Object.entries(options).map(
    ([name, o]) =>
      `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
  );
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  const rows = Object.values(options).map((o, i) => {
    const text = o.help.split('\n');
    const tags = [
      o.required ? 'required' : '',
      o.default === undefined ? '' : `default: ${o.default}`,
    ]
      .filter(Boolean)
      .join('; ');
    if (tags) text[text.length - 1] += ` (${tags})`;
    if (o.multiple) text[text.length - 1] += '; repeatable';
    return text.map((line, l) => `  ${(l === 0 ? heads[i] : '').padEnd(width)}${line}`).join('\n');
  });
  return [
    `usage: likewise ${spec.name} ${spec.usage}`,
    '',
    spec.description,
    '',
    'Options:',
    ...rows,
    ...(spec.notes ? ['', spec.notes] : []),
    '',
  ].join('\n');
}

/** `parseArgs`'s messages, in the commands' own words. */
function usageMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  const long = /--[\w-]+/.exec(message)?.[0] ?? flag;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown option ${flag}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && long) {
    return /boolean|does not take/.test(message)
      ? `${long} takes no value`
      : `${long} needs a value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(message)?.[1];
    return `unexpected argument ${arg ?? ''}`.trim();
  }
  return message;
}

/** Writes `likewise <name>: <message>`, a blank line and the help to stderr; returns 2. */
export function usageError(spec: CommandSpec, io: CliIo, message: string): number {
  io.stderr.write(`likewise ${spec.name}: ${message}\n\n${commandHelp(spec)}`);
  return 2;
}

/**
 * Reads `argv` against `spec` and runs `body` with the values. `--help` (or
 * `-h`) prints the help and resolves 0; an unknown option, a missing value,
 * a missing required option or a {@link UsageError} thrown by `body`
 * prints the problem and the help to stderr and resolves 2. Anything else
 * `body` throws propagates (the dispatcher reports it and exits 1).
 *
 * @example
 * export const run: CliCommand = (argv, io) =>
 *   runCommand(SPEC, argv, io, async (values) => { ...; return 0; });
 */
export async function runCommand<S extends CommandSpec>(
  spec: S,
  argv: string[],
  io: CliIo,
  body: (values: OptionValues<S['options']>) => Promise<number>,
): Promise<number> {
  let values: Record<string, unknown>;
  try {
    const options: Record<
      string,
      { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
    > = { help: { type: 'boolean', short: 'h' } };
    for (const [name, o] of Object.entries(spec.options)) {
      // parseArgs refuses keys that are present but undefined.
      options[name] = { type: o.type };
      if (o.short) options[name].short = o.short;
      if (o.multiple) options[name].multiple = true;
    }
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    return usageError(spec, io, usageMessage(error));
  }
  if (values.help) {
    io.stdout.write(commandHelp(spec));
    return 0;
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && values[name] === undefined)
      return usageError(spec, io, `--${name} ${o.value ?? 'VALUE'} is required`);
  }
  try {
    return await body(values as OptionValues<S['options']>);
  } catch (error) {
    if (error instanceof UsageError) return usageError(spec, io, error.message);
    throw error;
  }
}

/**
 * An integer option: `fallback` when absent, else a whole number from `min`
 * (to `max`); anything else throws a {@link UsageError} naming the flag.
 */
export function integerOption(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max?: number,
): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isInteger(n) && n >= min && (max === undefined || n <= max)) return n;
  throw new UsageError(
    max === undefined
      ? `--${flag} must be an integer >= ${min}, got ${raw}`
      : `--${flag} must be an integer from ${min} to ${max}, got ${raw}`,
  );
}

/**
 * A number option: `fallback` when absent, else a finite number at least
 * `min` (or above it, with `exclusive`); `what` names the unit in the message.
 */
export function numberOption(
  flag: string,
  raw: string | undefined,
  fallback: number,
  {
    min,
    exclusive = false,
    what = 'a number',
  }: { min: number; exclusive?: boolean; what?: string },
): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isFinite(n) && (exclusive ? n > min : n >= min)) return n;
  throw new UsageError(`--${flag} must be ${what} ${exclusive ? '>' : '>='} ${min}, got ${raw}`);
}

/** One of `choices`, or `fallback` when absent; anything else throws a {@link UsageError}. */
export function choiceOption<T extends string, F extends T | undefined>(
  flag: string,
  raw: string | undefined,
  choices: readonly T[],
  fallback: F,
): T | F {
  if (raw === undefined) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  const list =
    choices.length > 1
      ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`
      : String(choices[0]);
  throw new UsageError(`--${flag} must be ${list}, got ${raw}`);
}

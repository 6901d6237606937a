/** A command-line option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One line of help. */
  help: string;
  /** Placeholder shown in help for string options. */
  valueName?: string;
}

/** Parsed option values (strings or booleans, undefined when absent). */
export type OptionValues = Record<string, string | boolean | undefined>;

/** One `hintbench <command>`. */
export interface Command {
  name: string;
  aliases?: string[];
  /** Usage line after `hintbench `. */
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Runs the command; resolves to the exit code. Throws HintbenchError for user errors. */
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

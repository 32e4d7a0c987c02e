import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { run } from './external.js';

/** The Maven project of the Java examples (modules `fabric8` and `official`). */
export const JAVA_EXAMPLES_PROJECT = resolve(import.meta.dirname, '../../examples/java');

/**
 * Maven's local repository for the examples: inside the repository's ignored `.cache/`, so a run on a
 * fresh clone downloads the clients once (about 15 s, 110 MB) and needs nothing from the machine's
 * `~/.m2`; every later build reads it without asking Maven Central (the versions are all pinned).
 */
export const MAVEN_REPOSITORY = resolve(import.meta.dirname, '../../.cache/m2');

/** Whether `java` (17 or later) and `mvn` are on PATH. */
export function javaInstalled(): boolean {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const version = /version "(\d+)/.exec(java.stderr ?? '')?.[1];
  return (
    java.status === 0 && Number(version) >= 17 && spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status === 0
  );
}

/**
 * Builds the examples (`mvn -B -q package`, niced: compiling takes a core while timing-sensitive tests
 * run beside it) and throws, with Maven's output, unless it succeeds; resolves with the seconds it took.
 * Each module's jar lands in `<module>/target/<module>-examples.jar`, its dependencies in
 * `<module>/target/lib`.
 */
export async function buildJavaExamples(timeoutMs = 600_000): Promise<number> {
  const started = Date.now();
  const result = await run(
    'nice',
    ['-n', '10', 'mvn', '-B', '-q', `-Dmaven.repo.local=${MAVEN_REPOSITORY}`, 'package'],
    { cwd: JAVA_EXAMPLES_PROJECT, timeoutMs },
  );
  if (result.code !== 0) {
    throw new Error(
      `mvn package (in ${JAVA_EXAMPLES_PROJECT}) exited with ${result.code}:\n${result.stdout}${result.stderr}`,
    );
  }
  return (Date.now() - started) / 1000;
}

/** The class path of one module's programs: its jar, whose manifest names the jars in `target/lib`. */
export function javaClassPath(module: 'fabric8' | 'official'): string {
  return resolve(JAVA_EXAMPLES_PROJECT, module, 'target', `${module}-examples.jar`);
}

/** Prints why tests were skipped (e.g. the Electron project where its binary is absent), once per reason. */
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasonsReporter implements Reporter {
  private readonly reasons = new Map<string, number>();

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const annotations = [...(result.annotations ?? []), ...test.annotations];
    const why = annotations.find((a) => a.type === 'skip')?.description || 'no reason given';
    const key = `${test.parent.project()?.name ?? '?'}: ${why}`;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  onEnd(): void {
    for (const [key, count] of this.reasons) process.stdout.write(`skipped ${count} test(s) [${key}]\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}

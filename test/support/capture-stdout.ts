/** Collects what is written to process.stdout (log lines that fell back to STDOUT) instead of printing it. */
export interface CapturedStdout {
  text(): string;
  restore(): void;
}

export function captureStdout(): CapturedStdout {
  let text = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  });
  return { text: () => text, restore: () => spy.mockRestore() };
}

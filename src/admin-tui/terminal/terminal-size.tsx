import { useStdout } from 'ink';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The smallest terminal the layout is designed for; smaller ones still work, clipped. */
export const minimumTerminalSize: TerminalSize = { columns: 80, rows: 24 };

const TerminalSizeContext = createContext<TerminalSize>(minimumTerminalSize);

export function useTerminalSize(): TerminalSize {
  return useContext(TerminalSizeContext);
}

function sizeOf(stream: NodeJS.WriteStream): TerminalSize {
  return {
    columns: stream.columns || minimumTerminalSize.columns,
    rows: stream.rows || minimumTerminalSize.rows,
  };
}

/** Follows the real terminal: the layout is recomputed on every resize. */
export function LiveTerminalSize({ children }: { children: ReactNode }) {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const resized = () => setSize(sizeOf(stdout));
    stdout.on('resize', resized);
    return () => {
      stdout.off('resize', resized);
    };
  }, [stdout]);
  return <TerminalSizeContext.Provider value={size}>{children}</TerminalSizeContext.Provider>;
}

/** A fixed size: tests render the dashboard at exactly 80x24 (or any size) with it. */
export function FixedTerminalSize({ size, children }: { size: TerminalSize; children: ReactNode }) {
  return <TerminalSizeContext.Provider value={size}>{children}</TerminalSizeContext.Provider>;
}

// The "Saved." / error line under a section's heading: announced politely for success, assertively for errors.
export function Outcome({ notice, error, testId }: { notice: string | null; error: string | null; testId: string }) {
  return (
    <>
      {notice && (
        <p role="status" className="notice" data-testid={`${testId}-notice`}>
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error-text" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

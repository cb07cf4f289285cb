import type { AppInfo } from '../../shared/api.ts';

type Protection = AppInfo['secretProtection'];

const TEXT: Record<Protection, string> = {
  os: 'Keys are encrypted with your system keychain.',
  // The desktop app on Linux without a keyring: Electron's safeStorage falls back to its basic_text backend.
  obfuscated: 'No system keyring was found: API keys are only obfuscated on this computer, not encrypted.',
  'file-key': 'Keys are encrypted in the data folder (secrets.json, with its key in secret.key).',
  env: 'Keys come from environment variables.',
};

/** How stored API keys are protected on this machine; a visible warning when they are not really encrypted. */
export function SecretProtection({ protection }: { protection: Protection | undefined }) {
  if (!protection) return null;
  if (protection === 'obfuscated') {
    return (
      <div className="card secret-protection is-warning" role="note" data-testid="secret-protection" data-protection={protection} style={{ borderColor: 'var(--warn)' }}>
        <span className="badge badge-warn">Not encrypted</span> <span>{TEXT.obfuscated}</span>
      </div>
    );
  }
  return (
    <p className="muted small secret-protection" data-testid="secret-protection" data-protection={protection}>
      {TEXT[protection]}
    </p>
  );
}

import { useEffect, useRef, useState, type FormEvent } from 'react';

interface SettingsDialogProps {
  readonly token: string;
  readonly onSave: (token: string) => void;
  readonly onClose: () => void;
}

/**
 * The admin token, for when the admin API requires one: kept in this browser's localStorage and
 * sent with every API request as `Authorization: Bearer <token>`.
 */
export function SettingsDialog({ token, onSave, onClose }: SettingsDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState(token);
  useEffect(() => {
    if (dialog.current !== null && !dialog.current.open) dialog.current.showModal();
  }, []);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSave(draft.trim());
    dialog.current?.close();
  };
  return (
    <dialog ref={dialog} className="settings-dialog" aria-labelledby="settings-title" onClose={onClose}>
      <form onSubmit={submit}>
        <h2 id="settings-title">Settings</h2>
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input id="admin-token" type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} />
          <span className="muted">
            Only needed when the admin API asks for one. Kept in this browser and sent as a bearer token.
          </span>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary">Save</button>
          <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
        </div>
      </form>
    </dialog>
  );
}

// Sign-in with a bearer token, as the door and the organisers' console ask for it. The token is
// a password field: never autocompleted, never shown.
import { Title } from './Title';

export interface TokenSignInText {
  title: string;
  label: string;
  hint: string;
  button: string;
}

export function TokenSignIn({
  id,
  text,
  big = false,
  onToken,
}: {
  id: string;
  text: TokenSignInText;
  big?: boolean;
  onToken: (token: string) => void;
}) {
  const submit = (e: Event) => {
    e.preventDefault();
    const token = String(new FormData(e.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (token) onToken(token);
  };
  return (
    <>
      <Title text={text.title} />
      <form onSubmit={submit} class="narrow">
        <div class="field">
          <label for={id}>{text.label}</label>
          <input id={id} name="token" type="password" autoComplete="off" required aria-describedby={`${id}-hint`} />
          <p id={`${id}-hint`} class="hint">
            {text.hint}
          </p>
        </div>
        <button type="submit" class={big ? 'button primary big' : 'button primary'}>
          {text.button}
        </button>
      </form>
    </>
  );
}

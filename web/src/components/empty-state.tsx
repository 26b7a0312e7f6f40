import { useState } from 'react';
import type { AdminInfo } from '../lib/api-types.js';
import { INFO_PATH } from '../lib/api-query.js';
import { clientProxyUrl, curlSnippet, nodeSnippet, pythonSnippet } from '../lib/proxy-address.js';
import { useApi } from '../hooks/use-api.js';
import { ApiErrorMessage } from './panel.js';

/** Nothing recorded yet: where the proxy listens and how to point a client at it. */
export function EmptyState() {
  const info = useApi<AdminInfo>(INFO_PATH);
  const proxyUrl = info.data?.proxy_url ? clientProxyUrl(info.data.proxy_url, window.location.hostname) : null;
  return (
    <section className="panel empty-state" aria-labelledby="empty-title" data-panel="empty-state">
      <h2 id="empty-title">No requests recorded yet</h2>
      {info.error && <ApiErrorMessage what="the proxy's address" error={info.error} />}
      {proxyUrl !== null && (
        <>
          <p>
            Send your LLM clients to the proxy instead of the server: use{' '}
            <code className="proxy-url" data-testid="proxy-url">{proxyUrl}/v1</code> as the OpenAI base URL. Every request
            is forwarded unchanged and shows up here within a second.
          </p>
          <Snippet title="curl" code={curlSnippet(proxyUrl)} />
          <Snippet title="OpenAI SDK for Python" code={pythonSnippet(proxyUrl)} />
          <Snippet title="OpenAI SDK for Node.js" code={nodeSnippet(proxyUrl)} />
        </>
      )}
      {info.data && proxyUrl === null && <p>The proxy is not listening yet.</p>}
    </section>
  );
}

function Snippet({ title, code }: { readonly title: string; readonly code: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = (): void => {
    navigator.clipboard.writeText(code).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  return (
    <figure className="snippet" data-snippet={title}>
      <figcaption>
        {title}
        <button type="button" onClick={copy} aria-label={`Copy the ${title} example`}>
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </button>
        {copied === 'failed' && <span className="field-error" role="status">Copy failed: select the text instead.</span>}
      </figcaption>
      <pre tabIndex={0}><code>{code}</code></pre>
    </figure>
  );
}

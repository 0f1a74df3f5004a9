// A real OpenID provider for the single sign-on tests: panva's certified `oidc-provider`
// (npm, pinned in package-lock.json), on loopback, started by tests/sso/conftest.py.
//
//   node tests/sso/provider.mjs '{"port": 0, "clients": [{"client_id": ..., "client_secret":
//     ..., "redirect_uris": [...]}]}'
//
// Prints `READY <issuer>` once it listens. The sign-in page (/interaction/<uid>) is a plain
// form asking for an address: whoever submits it is signed in as that address (the tests play
// the employee), with `email` and `email_verified` claims; consent is implied (a first-party
// client). A few knobs, set by POST /_test/settings (JSON), let the tests make the provider
// misbehave the ways real ones do:
//   unverified: [addresses]  their ID tokens say email_verified: false
//   clockOffset: seconds     the provider's clock runs that far off (a skewed server clock)
//   audience: "other"        its token endpoint hands out an ID token for another client,
//                            signed with its own key (a token meant for another application)
// GET /_test/stats counts the authorization and token requests it received.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

const config = JSON.parse(process.argv[2] || '{}');
const knobs = { unverified: [], clockOffset: 0, audience: null, idTokenTTL: 600 };
const stats = { authorizations: 0, tokens: 0 };

const realNow = Date.now;
Date.now = () => realNow() + knobs.clockOffset * 1000;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(config.port || 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: (config.clients || []).map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  // The ID token itself carries email and email_verified, as the hub requires.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  scopes: ['openid', 'email'],
  ttl: { IdToken: () => knobs.idTokenTTL, AuthorizationCode: 120, Session: 3600, Interaction: 600, Grant: 3600 },
  cookies: { keys: [randomUUID()] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({
      sub,
      email: sub,
      email_verified: !knobs.unverified.includes(sub),
    }),
  }),
  // A first-party client: consent is implied, as at an employer's own provider.
  loadExistingGrant: async (ctx) => {
    const { Grant } = ctx.oidc.provider;
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email');
    grant.addOIDCClaims(['email', 'email_verified']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/auth') stats.authorizations += 1;
  if (ctx.path === '/token') stats.tokens += 1;
  await next();
  if (ctx.path === '/token' && knobs.audience && ctx.body && ctx.body.id_token) {
    const payload = decodeJwt(ctx.body.id_token);
    payload.aud = knobs.audience;
    ctx.body.id_token = await new SignJWT(payload)
      .setProtectedHeader(decodeProtectedHeader(ctx.body.id_token))
      .sign(privateKey);
  }
});

const escape = (s) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const handler = provider.callback();
server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (url.pathname === '/_test/settings' && req.method === 'POST') {
      Object.assign(knobs, JSON.parse(await readBody(req)));
      res.writeHead(204).end();
    } else if (url.pathname === '/_test/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    } else if (match && req.method === 'GET' && !match[2]) {
      const details = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example Health sign-in</title></head>
<body><h1>Example Health sign-in</h1>
<form method="post" action="/interaction/${escape(details.uid)}/login">
<label for="email">Work e-mail</label> <input id="email" name="email" type="email">
<button type="submit">Sign in</button></form></body></html>`);
    } else if (match && req.method === 'POST' && match[2]) {
      const email = new URLSearchParams(await readBody(req)).get('email') || '';
      await provider.interactionFinished(req, res, { login: { accountId: email.trim().toLowerCase() } }, { mergeWithLastSubmission: false });
    } else {
      handler(req, res);
    }
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
  }
});

process.stdout.write(`READY ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

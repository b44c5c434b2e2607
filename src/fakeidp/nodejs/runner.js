// fakeidp's Node.js runner: runs a connection's own code (an Auth0 fetchUserProfile script,
// an integration.app connector method) in a vm sandbox with what its platform gives it, and
// routes every HTTP request it makes to the Python side, which answers it from the fake IdP.
//
// Protocol: JSON lines. The first line on stdin is the job:
//   {kind: "auth0" | "function" | "module", source, filename, export, args: [...], timeout_ms,
//    globals: {...}}
// The runner writes {type: "http", id, method, url, headers, body} and reads back
// {id, status, headers, body} or {id, error}; it ends with one
// {type: "result", value} or {type: "error", message, line, stack}.
'use strict';

const vm = require('vm');
const readline = require('readline');
const crypto = require('crypto');
const querystring = require('querystring');

const pending = new Map();
let nextId = 1;
let job = null;
let finished = false;

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function finish(message) {
  if (finished) return;
  finished = true;
  send(message);
  process.stdout.write('', () => process.exit(0));
}

function lineOf(error, filename) {
  const stack = (error && error.stack) || '';
  const match = stack.match(new RegExp(filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ':(\\d+)'));
  return match ? Number(match[1]) : null;
}

function fail(error, filename) {
  let message;
  if (error instanceof Error || (error && typeof error.message === 'string')) {
    message = error.message;
  } else if (error && typeof error === 'object') {
    // node-oauth passes {statusCode, data}
    message = JSON.stringify(error);
  } else {
    message = String(error);
  }
  finish({ type: 'error', message, line: lineOf(error, filename), stack: (error && error.stack) || '' });
}

// -- HTTP, answered by the Python side -------------------------------------------------------
function http(req, callback) {
  const id = nextId++;
  pending.set(id, callback);
  send({ type: 'http', id, method: req.method, url: req.url, headers: req.headers, body: req.body });
}

function withQuery(url, qs) {
  if (!qs || Object.keys(qs).length === 0) return url;
  const q = querystring.stringify(qs);
  return url + (url.includes('?') ? '&' : '?') + q;
}

function responseObject(answer, body) {
  const headers = {};
  for (const [k, v] of Object.entries(answer.headers || {})) headers[k.toLowerCase()] = v;
  return { statusCode: answer.status, headers, body, statusMessage: '' };
}

// The `request` module's callback API, as Auth0's fetchUserProfile sandbox gives it
// (shared/seeds/000: request.get(...)). https://github.com/request/request#requestoptions-callback
function initParams(uri, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  let params = {};
  if (options !== null && typeof options === 'object') {
    params = Object.assign({}, options, { uri });
  } else if (typeof uri === 'string') {
    params = { uri };
  } else {
    params = Object.assign({}, uri);
  }
  params.callback = callback || params.callback;
  return params;
}

function runRequest(params) {
  const callback = params.callback || function () {};
  let url = params.uri || params.url;
  if (url && typeof url === 'object' && url.href) url = url.href;
  if (params.baseUrl) url = params.baseUrl.replace(/\/$/, '') + '/' + String(url).replace(/^\//, '');
  if (typeof url !== 'string') {
    setImmediate(() => callback(new Error('options.uri is a required argument')));
    return;
  }
  url = withQuery(url, params.qs);
  const headers = Object.assign({}, params.headers || {});
  const has = (name) => Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase());
  let body = params.body;
  if (params.auth) {
    if (params.auth.bearer) {
      const bearer = typeof params.auth.bearer === 'function' ? params.auth.bearer() : params.auth.bearer;
      headers.Authorization = 'Bearer ' + bearer;
    } else if (params.auth.user !== undefined || params.auth.username !== undefined) {
      const user = params.auth.user !== undefined ? params.auth.user : params.auth.username;
      const pass = params.auth.pass !== undefined ? params.auth.pass : params.auth.password || '';
      headers.Authorization = 'Basic ' + Buffer.from(user + ':' + pass).toString('base64');
    }
  }
  if (params.form !== undefined) {
    body = typeof params.form === 'string' ? params.form : querystring.stringify(params.form);
    if (!has('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  if (params.json) {
    if (!has('accept')) headers.Accept = 'application/json';
    if (params.json !== true) body = params.json;
    if (body !== undefined && typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
      body = JSON.stringify(body);
      if (!has('content-type')) headers['Content-Type'] = 'application/json';
    }
  }
  const method = (params.method || 'GET').toUpperCase();
  if (params.oauth) {
    const o = params.oauth;
    const signer = new OAuth(null, null, o.consumer_key, o.private_key || o.consumer_secret, '1.0', null,
      o.signature_method || 'HMAC-SHA1');
    const form = params.form && typeof params.form === 'object' ? params.form : {};
    headers.Authorization = signer._authorizationHeader(o.token, o.token_secret, method, url, form);
  }
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  http({ method, url, headers, body: body === undefined ? null : String(body) }, (answer) => {
    if (answer.error) return callback(new Error(answer.error));
    let parsed = answer.body;
    if (params.json) {
      try {
        parsed = answer.body === '' ? undefined : JSON.parse(answer.body);
      } catch (e) {
        parsed = answer.body;
      }
    }
    const response = responseObject(answer, parsed);
    callback(null, response, parsed);
  });
}

function makeRequest() {
  function request(uri, options, callback) {
    return runRequest(initParams(uri, options, callback));
  }
  const verbs = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', del: 'DELETE', delete: 'DELETE', head: 'HEAD' };
  for (const [name, method] of Object.entries(verbs)) {
    request[name] = function (uri, options, callback) {
      const params = initParams(uri, options, callback);
      params.method = method;
      return runRequest(params);
    };
  }
  request.defaults = () => request;
  return request;
}

// -- node-oauth's OAuth class, as Auth0's OAuth 1.0a scripts use it (seed 002: Tumblr, XING,
// JIRA). https://github.com/ciaranj/node-oauth/blob/master/lib/oauth.js -------------------------
function encode(value) {
  return encodeURIComponent(value === undefined || value === null ? '' : String(value))
    .replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

function OAuth(requestUrl, accessUrl, consumerKey, consumerSecret, version, authorizeCallback,
  signatureMethod, nonceSize, customHeaders) {
  if (!(this instanceof OAuth)) {
    return new OAuth(requestUrl, accessUrl, consumerKey, consumerSecret, version, authorizeCallback,
      signatureMethod, nonceSize, customHeaders);
  }
  this._requestUrl = requestUrl;
  this._accessUrl = accessUrl;
  this._consumerKey = consumerKey;
  this._consumerSecret = consumerSecret;
  this._version = version || '1.0';
  this._signatureMethod = signatureMethod || 'HMAC-SHA1';
  if (!['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'].includes(this._signatureMethod)) {
    throw new Error('Un-supported signature method: ' + this._signatureMethod);
  }
  this._headers = customHeaders || { Accept: '*/*', Connection: 'close', 'User-Agent': 'Node authentication' };
}

OAuth.prototype._signature = function (base, tokenSecret) {
  const key = encode(this._consumerSecret) + '&' + encode(tokenSecret || '');
  if (this._signatureMethod === 'PLAINTEXT') return key;
  if (this._signatureMethod === 'RSA-SHA1') {
    return crypto.createSign('RSA-SHA1').update(base).sign(this._consumerSecret || '', 'base64');
  }
  const algorithm = this._signatureMethod === 'HMAC-SHA256' ? 'sha256' : 'sha1';
  return crypto.createHmac(algorithm, key).update(base).digest('base64');
};

OAuth.prototype._authorizationHeader = function (token, tokenSecret, method, url, extraParams) {
  const oauth = {
    oauth_consumer_key: this._consumerKey,
    oauth_nonce: crypto.randomBytes(16).toString('hex'),
    oauth_signature_method: this._signatureMethod,
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_version: this._version,
  };
  if (token) oauth.oauth_token = token;
  const parsed = new URL(url);
  const pairs = [];
  for (const [k, v] of Object.entries(oauth)) pairs.push([k, v]);
  for (const [k, v] of parsed.searchParams) pairs.push([k, v]);
  for (const [k, v] of Object.entries(extraParams || {})) {
    for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
  }
  const normalized = pairs.map(([k, v]) => [encode(k), encode(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => k + '=' + v).join('&');
  let port = parsed.port;
  if ((parsed.protocol === 'http:' && port === '80') || (parsed.protocol === 'https:' && port === '443')) port = '';
  const baseUrl = parsed.protocol + '//' + parsed.hostname + (port ? ':' + port : '') + parsed.pathname;
  const base = method.toUpperCase() + '&' + encode(baseUrl) + '&' + encode(normalized);
  oauth.oauth_signature = this._signature(base, tokenSecret);
  return 'OAuth ' + Object.keys(oauth).sort().map((k) => encode(k) + '="' + encode(oauth[k]) + '"').join(',');
};

OAuth.prototype._performSecureRequest = function (token, tokenSecret, method, url, extraParams,
  postBody, postContentType, callback) {
  if (typeof postContentType === 'function') {
    callback = postContentType;
    postContentType = null;
  }
  const headers = Object.assign({}, this._headers);
  headers.Authorization = this._authorizationHeader(token, tokenSecret, method, url, extraParams);
  let body = postBody;
  if ((method === 'POST' || method === 'PUT') && !body && extraParams) {
    body = querystring.stringify(extraParams);
  }
  if (body) headers['Content-Type'] = postContentType || 'application/x-www-form-urlencoded';
  http({ method, url, headers, body: body ? (Buffer.isBuffer(body) ? body.toString('utf8') : String(body)) : null }, (answer) => {
    if (!callback) return;
    if (answer.error) return callback(new Error(answer.error));
    const response = responseObject(answer, answer.body);
    if (answer.status >= 200 && answer.status <= 299) callback(null, answer.body, response);
    else callback({ statusCode: answer.status, data: answer.body }, answer.body, response);
  });
};

OAuth.prototype.get = function (url, token, tokenSecret, callback) {
  return this._performSecureRequest(token, tokenSecret, 'GET', url, null, '', null, callback);
};
OAuth.prototype.delete = function (url, token, tokenSecret, callback) {
  return this._performSecureRequest(token, tokenSecret, 'DELETE', url, null, '', null, callback);
};
OAuth.prototype.post = function (url, token, tokenSecret, body, contentType, callback) {
  let extra = null;
  if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    extra = body;
    body = null;
  }
  return this._performSecureRequest(token, tokenSecret, 'POST', url, extra, body, contentType, callback);
};
OAuth.prototype.put = function (url, token, tokenSecret, body, contentType, callback) {
  let extra = null;
  if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    extra = body;
    body = null;
  }
  return this._performSecureRequest(token, tokenSecret, 'PUT', url, extra, body, contentType, callback);
};

// -- fetch, as integration.app's connector methods use it ------------------------------------
function makeFetch() {
  return function fetch(input, init) {
    init = init || {};
    const url = typeof input === 'string' ? input : input.url;
    const headers = {};
    const given = init.headers || {};
    if (typeof given.forEach === 'function' && !Array.isArray(given)) given.forEach((v, k) => { headers[k] = v; });
    else for (const [k, v] of Array.isArray(given) ? given : Object.entries(given)) headers[k] = v;
    let body = init.body;
    if (body instanceof URLSearchParams) {
      body = body.toString();
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
      }
    }
    return new Promise((resolve, reject) => {
      http({ method: (init.method || 'GET').toUpperCase(), url, headers, body: body === undefined ? null : String(body) }, (answer) => {
        if (answer.error) return reject(new TypeError('fetch failed: ' + answer.error));
        resolve(new Response(answer.body, { status: answer.status, headers: answer.headers }));
      });
    });
  };
}

// -- the sandbox -----------------------------------------------------------------------------
const MODULES = {
  oauth: { OAuth },
  request: null, // filled per job
  crypto,
  querystring,
  url: require('url'),
  util: require('util'),
};

function sandboxRequire(name) {
  if (Object.prototype.hasOwnProperty.call(MODULES, name)) return MODULES[name];
  throw new Error("Cannot find module '" + name + "' (fakeidp's sandbox provides: " +
    Object.keys(MODULES).join(', ') + ')');
}

function start(j) {
  const filename = j.filename || 'script.js';
  const request = makeRequest();
  MODULES.request = request;
  const logs = [];
  const consoleShim = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    consoleShim[level] = (...args) => {
      process.stderr.write(args.map((a) => (typeof a === 'string' ? a : require('util').inspect(a))).join(' ') + '\n');
    };
  }
  const context = vm.createContext(Object.assign({
    request, require: sandboxRequire, console: consoleShim, Buffer, URL, URLSearchParams,
    setTimeout, clearTimeout, setImmediate, clearImmediate, fetch: makeFetch(), Response, Headers,
    TextEncoder, TextDecoder, Promise,
  }, j.globals || {}));
  let fn;
  try {
    if (j.kind === 'module') {
      // A CommonJS file (integration.app: `exports.getTokenData = async function ({...}) {...}`).
      const module = { exports: {} };
      context.module = module;
      context.exports = module.exports;
      new vm.Script(j.source, { filename }).runInContext(context, { timeout: j.timeout_ms });
      const exported = module.exports;
      fn = typeof exported === 'function' ? exported : exported[j.export];
      if (typeof fn !== 'function') {
        return finish({ type: 'error', message: filename + ' exports no function ' + j.export +
          ' (expected exports.' + j.export + ' = async function (...) {...})', line: null, stack: '' });
      }
    } else {
      // A function expression (Auth0 stores `function (accessToken, ctx, cb) {...}`); the
      // parentheses keep its line numbers.
      fn = new vm.Script('(' + j.source + '\n)', { filename }).runInContext(context, { timeout: j.timeout_ms });
    }
  } catch (error) {
    return fail(error, filename);
  }
  if (typeof fn !== 'function') {
    return finish({ type: 'error', message: 'the script is not a function: it evaluates to ' + typeof fn, line: 1, stack: '' });
  }
  context.__fakeidp_fn = fn;
  const done = (error, value) => {
    if (error) return fail(error, filename);
    finish({ type: 'result', value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
  };
  context.__fakeidp_args = j.kind === 'auth0' ? [...j.args, done] : j.args;
  send({ type: 'started' });
  try {
    // Run the call inside the sandbox so a synchronous endless loop hits the vm timeout.
    const returned = vm.runInContext('__fakeidp_fn.apply(null, __fakeidp_args)', context, { timeout: j.timeout_ms });
    if (j.kind !== 'auth0') {
      Promise.resolve(returned).then((value) => done(null, value), (error) => done(error || new Error('rejected')));
    }
  } catch (error) {
    fail(error, filename);
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch (e) {
    return finish({ type: 'error', message: 'fakeidp runner: bad message from Python: ' + e.message, line: null, stack: '' });
  }
  if (job === null) {
    job = message;
    return start(job);
  }
  const callback = pending.get(message.id);
  if (callback) {
    pending.delete(message.id);
    try {
      callback(message);
    } catch (error) {
      fail(error, job.filename || 'script.js');
    }
  }
});
process.on('uncaughtException', (error) => fail(error, (job && job.filename) || 'script.js'));
process.on('unhandledRejection', (error) => fail(error || new Error('unhandled rejection'), (job && job.filename) || 'script.js'));

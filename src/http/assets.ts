import type { Route } from './router.js';

/**
 * The only script the pages use, served by the service itself (CSP script-src 'self'). It adds
 * a "copy" button next to every `data-copy` field and announces the result in a live region;
 * without it the field is still there to select. Labels come from the page, in its language.
 */
const COPY_JS = `(function () {
  var status = document.createElement('p');
  status.className = 'status-msg';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  var fields = document.querySelectorAll('input[data-copy]');
  if (fields.length) document.querySelector('main').appendChild(status);
  Array.prototype.forEach.call(fields, function (field) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = field.getAttribute('data-copy-label');
    button.setAttribute('aria-describedby', field.id);
    button.addEventListener('click', function () {
      var done = function () { status.textContent = field.getAttribute('data-copied'); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); document.execCommand('copy'); done(); });
      } else {
        field.select();
        document.execCommand('copy');
        done();
      }
    });
    field.parentNode.appendChild(button);
  });
})();
`;

const body = Buffer.from(COPY_JS, 'utf8');

export function assetRoutes(): Route[] {
  return [
    {
      method: 'GET',
      name: 'asset',
      path: /^\/assets\/copy\.js$/,
      handler: (_req, res) => {
        res.writeHead(200, {
          'content-type': 'text/javascript; charset=utf-8',
          'content-length': body.length,
          'cache-control': 'public, max-age=86400',
          'x-content-type-options': 'nosniff',
        });
        res.end(body);
      },
    },
  ];
}

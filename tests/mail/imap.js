// The mail tests' IMAP server: Debian's Dovecot (dovecot-imapd), started on a free port
// of 127.0.0.1 with its own configuration, passwd-file users and Maildirs in a
// temporary directory, and filled over IMAP APPEND by tests/mail/imap_tool.py (Python's
// imaplib). Run as root, Dovecot's processes drop to its own users, so the directory is
// theirs to read and the mail is stored as user `dovecot`.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, chmodSync, chownSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './sink.js';
import net from 'node:net';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const DOVECOT = '/usr/sbin/dovecot';

function idOf(name) {
  return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
}
function gidOf(name) {
  return Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
}

function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

// Starts Dovecot with users { name: password }; resolves once it answers.
export async function startImap(users) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-imap-'));
  chmodSync(dir, 0o755);
  const root = process.getuid() === 0;
  const uid = root ? idOf('dovecot') : process.getuid();
  const gid = root ? gidOf('dovecot') : process.getgid();
  for (const d of ['run', 'state', 'home']) mkdirSync(path.join(dir, d));
  if (root) chownSync(path.join(dir, 'home'), uid, gid);
  writeFileSync(path.join(dir, 'passwd'),
    Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}\n`).join(''), { mode: 0o644 });
  const me = userInfo().username;
  const conf = `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
${root ? '' : `default_login_user = ${me}\ndefault_internal_user = ${me}\n`}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = ${uid}
last_valid_uid = ${uid}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  const confFile = path.join(dir, 'dovecot.conf');
  writeFileSync(confFile, conf, { mode: 0o644 });
  execFileSync(DOVECOT, ['-c', confFile], { stdio: 'ignore' });
  await waitFor(() => listening(port), 15000, 'dovecot listening');
  const tool = (user, ...args) => execFileSync(PYTHON, [path.join(HERE, 'imap_tool.py'), String(port), user, users[user], ...args],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  let n = 0;
  return {
    port,
    dir,
    // Appends raw messages (strings) to a folder; seen: mark them read.
    append(user, folder, raws, { seen = false } = {}) {
      const files = raws.map((raw) => {
        const f = path.join(dir, `m${n++}${seen ? '.seen' : ''}.eml`);
        writeFileSync(f, raw.replace(/\r?\n/g, '\r\n'));
        return f;
      });
      tool(user, 'append', folder, ...files);
    },
    generate: (user, folder, count, from) => tool(user, 'generate', folder, String(count), from),
    flags: (user, folder) => JSON.parse(tool(user, 'flags', folder)),
    createFolder: (user, folder) => tool(user, 'create', folder),
    deleteFolder: (user, folder) => tool(user, 'delete', folder),
    log: () => (existsSync(path.join(dir, 'dovecot.log')) ? readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : ''),
    async stop() {
      try { execFileSync('/usr/bin/doveadm', ['-c', confFile, 'stop'], { stdio: 'ignore' }); } catch { /* already gone */ }
      await waitFor(async () => !(await listening(port)), 15000, 'dovecot stopped');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The import wizard (/import?entity=): a CSV file and its encoding, an Excel workbook
// (.xlsx: its first sheet) or vCards (.vcf, into people); the columns as the server
// would map them (POST /imports/preview: field names and labels, English and Chinese
// headers), each mapping editable; what to do with duplicates, and whether rows naming
// an account that does not exist create it; a dry run that lists row errors with their
// line numbers; then the import with a progress bar, and a result with the errors as a
// file to download, fix and import again.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, request } from '../../api.js';
import { entityLabel, fieldLabel, formatNumber, t } from '../../i18n.js';
import { Link, listPath, navigate, useLocation } from '../../router.js';
import { entityMeta, isPerson } from '../../state.js';
import { errorText, Notice, usePageTitle } from '../../ui.jsx';
import { importEntities } from '../index.js';

const PREVIEW_BYTES = 256 * 1024; // the beginning of a CSV or vCard file shows its columns
const DUPS = ['skip', 'update', 'create'];
const IGNORE = '';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// What a file is, by its name: the format, and the media type its upload is sent as.
function fileFormat(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return { format: 'xlsx', type: XLSX };
  if (name.endsWith('.vcf') || name.endsWith('.vcard')) return { format: 'vcf', type: 'text/vcard' };
  return { format: 'csv', type: 'text/csv' };
}

// Whether rows of e may name records an import can create from the name (accounts),
// and the caller may create them: the entities, or an empty list.
function creatable(e) {
  const out = [];
  for (const f of e.fields) {
    const target = f.type === 'ref' && !f.readonly && f.ref ? entityMeta(f.ref) : null;
    if (target?.create_by_name && target.permissions.create !== 'none' && !out.includes(target)) out.push(target);
  }
  return out;
}

// The query of an import or preview: entity, encoding and every column's mapping.
function importQuery(e, encoding, columns, extra = {}) {
  const q = new URLSearchParams({ entity: e.name, encoding, ...extra });
  for (const c of columns) q.append('map', `${c.header}=${c.field || IGNORE}`);
  return q;
}

// An import job, polled until it ends; onProgress sees each state.
async function runJob(query, file, onProgress) {
  const r = await request('POST', `/imports?${query}`, { raw: { data: file, type: fileFormat(file).type } });
  for (;;) {
    const job = await api.get(`/imports/${r.body.id}`);
    onProgress(job);
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((res) => setTimeout(res, 300));
  }
}

// The row errors as a CSV file (line, field, message) to download.
function errorsFile(job) {
  const quote = (v) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const lines = [[t('imp.line'), t('imp.field'), t('imp.message')].map(quote).join(',')];
  for (const x of job.errors) lines.push([x.line, x.field, x.message].map(quote).join(','));
  return URL.createObjectURL(new Blob([`\ufeff${lines.join('\r\n')}\r\n`], { type: 'text/csv' }));
}

function Errors({ job }) {
  if (!job.errors.length) return null;
  return (
    <div class="table-wrap">
      <table aria-label={t('imp.errors')}>
        <thead><tr><th scope="col">{t('imp.line')}</th><th scope="col">{t('imp.field')}</th><th scope="col">{t('imp.message')}</th></tr></thead>
        <tbody>
          {job.errors.map((x) => <tr><td class="num">{x.line}</td><td>{x.field || '—'}</td><td>{x.message}</td></tr>)}
        </tbody>
      </table>
    </div>
  );
}

function Counts({ job }) {
  const keys = ['rows_total', 'rows_imported', 'rows_updated', 'rows_skipped', 'rows_failed'];
  if (job.create_accounts) keys.push(job.dry_run ? 'accounts_to_create' : 'accounts_created');
  return (
    <dl class="counts">
      {keys.map((k) => (
        <><dt>{t(`imp.${k}`)}</dt><dd>{formatNumber(job[k === 'accounts_to_create' ? 'accounts_created' : k])}</dd></>
      ))}
    </dl>
  );
}

export function ImportPage() {
  const { query } = useLocation();
  const ents = importEntities();
  const e = ents.find((x) => x.name === query.get('entity')) || ents[0];
  const [file, setFile] = useState(null);
  const [encoding, setEncoding] = useState('utf-8');
  const [columns, setColumns] = useState(null); // [{header, field, samples}]
  const [onDup, setOnDup] = useState('skip');
  const [createAccounts, setCreateAccounts] = useState(false);
  const [dry, setDry] = useState(null);   // the dry run's job
  const [job, setJob] = useState(null);   // the import's job, while it runs and after
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  usePageTitle(t('imp.title'));
  // The finished import's errors as a file, made once (and let go with the next one).
  const errorsUrl = useMemo(() => (job && job.errors?.length && ['done', 'failed'].includes(job.status) ? errorsFile(job) : null), [job]);
  useEffect(() => () => errorsUrl && URL.revokeObjectURL(errorsUrl), [errorsUrl]);

  // A new file, encoding or entity: read its columns again and start over.
  useEffect(() => {
    setColumns(null); setDry(null); setJob(null); setError(null);
    if (!file || !e) return;
    const { format, type } = fileFormat(file);
    const q = new URLSearchParams({ entity: e.name, encoding });
    // A workbook is a ZIP, readable only whole; a text file's beginning is enough.
    request('POST', `/imports/preview?${q}`, { raw: { data: format === 'xlsx' ? file : file.slice(0, PREVIEW_BYTES), type } })
      .then((r) => setColumns(r.body.columns.map((c, i) => ({ ...c, samples: r.body.rows.map((row) => row[i]).filter(Boolean).slice(0, 3) }))),
        setError);
  }, [file, encoding, e?.name]);

  if (!e) return <Notice>{t('imp.none')}</Notice>;
  const person = isPerson(e);
  const makeable = creatable(e);
  const format = file ? fileFormat(file).format : 'csv';
  const targets = e.fields.filter((f) => !f.readonly && f.type !== 'password');
  const setField = (i, field) => { setColumns(columns.map((c, k) => (k === i ? { ...c, field } : c))); setDry(null); };

  async function go(dryRun) {
    setBusy(true); setError(null);
    try {
      const extra = { on_duplicate: onDup, dry_run: String(dryRun) };
      if (createAccounts && makeable.length) extra.create_accounts = 'true';
      const q = importQuery(e, encoding, columns, extra);
      const done = await runJob(q, file, dryRun ? setDry : setJob);
      (dryRun ? setDry : setJob)(done);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const running = job && job.status !== 'done' && job.status !== 'failed';
  return (
    <section aria-labelledby="imp-h" class="import">
      <h1 id="imp-h">{t('imp.heading', { entity: entityLabel(e) })}</h1>
      <fieldset class="panel">
        <legend>{t('imp.step1')}</legend>
        <div class="grid">
          <div class="field">
            <label for="imp-entity">{t('imp.entity')}</label>
            <select id="imp-entity" value={e.name} onChange={(ev) => navigate(`/import?entity=${ev.target.value}`, { replace: true })}>
              {ents.map((x) => <option value={x.name}>{entityLabel(x)}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="imp-file">{t('imp.file')}</label>
            <input id="imp-file" type="file" accept={`.csv,text/csv,.xlsx,${XLSX}${person ? ',.vcf,text/vcard' : ''}`}
              onChange={(ev) => setFile(ev.target.files[0] || null)} />
          </div>
          {format !== 'xlsx' && (
            <div class="field">
              <label for="imp-enc">{t('imp.encoding')}</label>
              <select id="imp-enc" value={encoding} onChange={(ev) => setEncoding(ev.target.value)}>
                <option value="utf-8">UTF-8</option>
                <option value="gb18030">{t('imp.gbk')}</option>
              </select>
            </div>
          )}
        </div>
      </fieldset>
      {error && (
        <Notice kind="error">
          {error.status === 422 ? Object.values(error.fields).join('; ') || error.message
            : error.status === 400 ? error.message : errorText(error)}
        </Notice>
      )}
      {columns && (
        <fieldset class="panel">
          <legend>{t('imp.step2')}</legend>
          <div class="table-wrap">
            <table aria-label={t('imp.mapping')}>
              <thead><tr><th scope="col">{t('imp.column')}</th><th scope="col">{t('imp.samples')}</th><th scope="col">{t('imp.goesTo')}</th></tr></thead>
              <tbody>
                {columns.map((c, i) => (
                  <tr>
                    <th scope="row">{c.header}</th>
                    <td class="muted">{c.samples.join(' · ')}</td>
                    <td>
                      <select aria-label={t('imp.fieldFor', { column: c.header })} value={c.field || IGNORE} onChange={(ev) => setField(i, ev.target.value || null)}>
                        <option value={IGNORE}>{t('imp.ignore')}</option>
                        {person && <option value="full_name">{t('imp.fullName')}</option>}
                        {targets.map((f) => <option value={f.name}>{fieldLabel(f)}</option>)}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="toolbar dup-choice" role="radiogroup" aria-label={t('imp.dups')}>
            <span>{t('imp.dups')}</span>
            {DUPS.map((d) => (
              <label><input type="radio" name="imp-dup" checked={onDup === d} onChange={() => { setOnDup(d); setDry(null); }} /> {t(`imp.dup.${d}`)}</label>
            ))}
          </div>
          {makeable.length > 0 && (
            <label class="check">
              <input type="checkbox" checked={createAccounts} onChange={(ev) => { setCreateAccounts(ev.target.checked); setDry(null); }} />
              {' '}{t('imp.createMissing', { entity: makeable.map((x) => entityLabel(x)).join(', ') })}
            </label>
          )}
          <div class="actions">
            <button type="button" disabled={busy || running} onClick={() => go(true)}>{t('imp.check')}</button>
            <button type="button" class="primary" disabled={busy || running || !!(job && job.status === 'done')} onClick={() => go(false)}>
              {t('imp.run', { entity: entityLabel(e) })}</button>
          </div>
        </fieldset>
      )}
      {dry && !job && (
        <section class="panel" aria-label={t('imp.dryTitle')}>
          <h2>{t('imp.dryTitle')}</h2>
          {dry.status === 'failed' ? <Notice kind="error">{dry.error}</Notice> : (
            <>
              <p>{dry.rows_failed ? t('imp.dryErrors', { n: formatNumber(dry.rows_failed) }) : t('imp.dryClean')}</p>
              <Counts job={dry} />
              <Errors job={dry} />
            </>
          )}
        </section>
      )}
      {job && (
        <section class="panel" aria-label={t('imp.result')}>
          <h2>{running ? t('imp.running') : t('imp.result')}</h2>
          <progress max={job.rows_total || 1} value={job.rows_done} aria-label={t('imp.progress')}>{job.rows_done}</progress>
          {job.status === 'failed' && <Notice kind="error">{job.error}</Notice>}
          {!running && (
            <>
              <Counts job={job} />
              {errorsUrl && (
                <p><a class="button" href={errorsUrl} download={`${e.name}-import-errors.csv`}>{t('imp.download')}</a></p>
              )}
              <Errors job={job} />
              <p><Link href={listPath(e.name)}>{t('imp.toList', { entity: entityLabel(e) })}</Link></p>
            </>
          )}
        </section>
      )}
    </section>
  );
}

import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import {
  compareSysctlLoadOrder,
  effectiveSysctls,
  looksLikeSysctlFile,
  normalizeSysctlKey,
  parseSysctlConf,
  parseSysctlLine,
} from '../../src/parsers/sysctl.js';
import { CORPUS, corpusFiles, describeSettings, expectSpansInside, fixture, settingSpans, slice, spanIn } from '../reference/sysctl-helpers.js';
import { assertProperty } from '../helpers/property.js';

const parse = (text: string, path = 'etc/sysctl.d/test.conf') => {
  const file = createSourceFile(path, text);
  return { file, ...parseSysctlConf(file) };
};

describe('parseSysctlConf on the fixtures', () => {
  it('reads etc/sysctl.conf: both separators, path-form keys, the ignore-failure dash, no inline comments', () => {
    const file = fixture('etc/sysctl.conf');
    const r = parseSysctlConf(file);
    expect(r.problems).toEqual([]);
    expect(describeSettings(file, r.doc!)).toEqual([
      ['fs.file-max', '200000', '200000', 4],
      ['net.core.somaxconn', '65535', '65535', 5],
      ['net.ipv4.tcp_max_syn_backlog', '8192', '8192', 6],
      ['net.core.netdev_max_backlog', '5000', '5000', 7],
      ['net.ipv4.ip_local_port_range', '1024 65000', '1024 65000', 8],
      // sysctl has no inline comments: the kernel receives (and rejects) the whole text.
      ['net.ipv4.tcp_fin_timeout', '30 # not a comment: sysctl has no inline comments', '30 # not a comment: sysctl has no inline comments', 9],
      ['net.core.somaxconn', '4096', '4096', 10],
    ]);
    const backlog = r.doc![2]!;
    expect(backlog.keySpan).toEqual(spanIn(file, 'net/ipv4/tcp_max_syn_backlog = 8192', 'net/ipv4/tcp_max_syn_backlog'));
    const dashed = r.doc![3]!;
    expect(dashed.ignoreFailure).toBe(true);
    expect(slice(file, dashed.span)).toBe('-net.core.netdev_max_backlog = 5000');
    expect(slice(file, dashed.keySpan)).toBe('net.core.netdev_max_backlog');
    expect(r.doc!.filter((s) => s !== dashed).every((s) => !s.ignoreFailure)).toBe(true);
    expect(r.doc!.every((s) => s.scriptTarget === undefined)).toBe(true);
    expect(r.comments.map((c) => [c.text, slice(file, c.span)])).toEqual([
      ['/etc/sysctl.conf on the arena host', '# /etc/sysctl.conf on the arena host'],
      ["procps also takes ';' as a comment marker", "; procps also takes ';' as a comment marker"],
    ]);
    expectSpansInside(file, settingSpans(r.doc!));
  });

  it('reads sysctl.d/99-arena.conf and swaps / and . in a path-form key with a dotted interface name', () => {
    const file = fixture('sysctl.d/99-arena.conf');
    const r = parseSysctlConf(file);
    expect(r.problems).toEqual([]);
    expect(describeSettings(file, r.doc!)).toEqual([
      ['net.ipv4.tcp_fin_timeout', '30', '30', 2],
      ['net.ipv4.tcp_keepalive_time', '300', '300', 3],
      ['net.ipv4.tcp_keepalive_probes', '5', '5', 4],
      ['net.ipv4.tcp_keepalive_intvl', '15', '15', 5],
      ['net.ipv4.conf.eth0/100.rp_filter', '1', '1', 6],
    ]);
    expect(r.doc![3]!.value.span).toEqual(spanIn(file, 'net.ipv4.tcp_keepalive_intvl = 15', '15'));
  });

  it('lets the later line win and keeps the winner span', () => {
    const file = fixture('etc/sysctl.conf');
    const winners = effectiveSysctls(parseSysctlConf(file).doc!);
    const somaxconn = winners.get('net.core.somaxconn')!;
    expect(somaxconn.value.value).toBe('4096');
    expect(somaxconn.value.span).toEqual(spanIn(file, 'net.core.somaxconn = 4096', '4096'));
    expect(winners.size).toBe(6);
    // The overridden key moves to where its winner was written.
    expect([...winners.keys()].at(-1)).toBe('net.core.somaxconn');
  });
});

describe('parseSysctlConf line syntax', () => {
  it('reports lines without "=", without a key or without a value, at the line', () => {
    const { file, doc, problems } = parse('net.core.somaxconn 1024\n  = 5\nvm.swappiness =   \nvm.dirty_ratio = 10\n');
    expect(doc!.map((s) => s.key)).toEqual(['vm.dirty_ratio']);
    expect(problems.map((p) => [p.message, slice(file, p.span)])).toEqual([
      ['expected "key = value"', 'net.core.somaxconn 1024'],
      ['missing key before "="', '='],
      ['missing value after "vm.swappiness ="', 'vm.swappiness ='],
    ]);
  });

  it('reports whitespace inside a key', () => {
    const { file, problems } = parse('net.core somaxconn = 1\n');
    expect(problems.map((p) => slice(file, p.span))).toEqual(['net.core somaxconn']);
  });

  it('keeps "=" inside values and trims CR of CRLF files', () => {
    const { file, doc, problems } = parse('kernel.core_pattern = |/bin/x --opt=1\r\nvm.swappiness=10\r\n');
    expect(problems).toEqual([]);
    expect(doc!.map((s) => [s.key, s.value.value, slice(file, s.value.span)])).toEqual([
      ['kernel.core_pattern', '|/bin/x --opt=1', '|/bin/x --opt=1'],
      ['vm.swappiness', '10', '10'],
    ]);
  });

  it('treats # and ; as comments only at the start of a line, after blanks', () => {
    expect(parseSysctlLine('   # x').kind).toBe('comment');
    expect(parseSysctlLine('\t; x').kind).toBe('comment');
    expect(parseSysctlLine('a.b = 1 ; x')).toMatchObject({ kind: 'assignment', valueStart: 6, valueEnd: 11 });
    expect(parseSysctlLine('  \t ').kind).toBe('blank');
  });

  it('normalizes path-form keys like procps: swap / and . only when / comes first', () => {
    expect(normalizeSysctlKey('net/core/somaxconn')).toBe('net.core.somaxconn');
    expect(normalizeSysctlKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    expect(normalizeSysctlKey('net.ipv4.conf.eth0/100.rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
    expect(normalizeSysctlKey('vm.swappiness')).toBe('vm.swappiness');
  });

  it('property: never throws and keeps every span inside the file', () => {
    assertProperty('parsers/sysctl-text', 
      fc.property(fc.array(fc.constantFrom('a.b', '=', ' ', '\t', '#', ';', '-', '/', '\n', '\r\n', 'x', '1', ' = '), { maxLength: 40 }), (parts) => {
        const { file, doc, problems, comments } = parse(parts.join(''));
        expectSpansInside(file, [...settingSpans(doc!), ...problems.map((p) => p.span), ...comments.map((c) => c.span)]);
        for (const s of doc!) expect(slice(file, s.value.span)).toBe(s.value.value);
      }),
    );
  });
});

describe('sysctl file discovery and load order', () => {
  it('recognises sysctl files by name and directory', () => {
    expect(looksLikeSysctlFile('/etc/sysctl.conf')).toBe(true);
    expect(looksLikeSysctlFile('deploy/sysctl.d/99-arena.conf')).toBe(true);
    expect(looksLikeSysctlFile('host/99-sysctl.conf')).toBe(true);
    expect(looksLikeSysctlFile('nginx/nginx.conf')).toBe(false);
    expect(looksLikeSysctlFile('pgbouncer/pgbouncer.ini')).toBe(false);
    expect(looksLikeSysctlFile('sysctl.d/README')).toBe(false);
  });

  it('orders drop-ins by file name across directories, sysctl.conf last', () => {
    const files = ['/etc/sysctl.conf', '/usr/lib/sysctl.d/50-default.conf', '/etc/sysctl.d/99-arena.conf', '/etc/sysctl.d/10-a.conf'];
    expect([...files].sort(compareSysctlLoadOrder)).toEqual([
      '/etc/sysctl.d/10-a.conf',
      '/usr/lib/sysctl.d/50-default.conf',
      '/etc/sysctl.d/99-arena.conf',
      '/etc/sysctl.conf',
    ]);
  });
});

describe.skipIf(!existsSync(CORPUS))('parseSysctlConf on the real-world corpus', () => {
  it('parses every corpus sysctl file without problems', () => {
    const files = corpusFiles((path) => looksLikeSysctlFile(path) || path.startsWith('sysctl-misc/') && path.endsWith('.conf'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const file = createSourceFile(f.path, f.text);
      const r = parseSysctlConf(file);
      expect(r.problems, f.path).toEqual([]);
      expect(r.doc!.length, f.path).toBeGreaterThan(0);
      for (const s of r.doc!) expect(slice(file, s.value.span)).toBe(s.value.value);
    }
  });

  it('reads the web-server drop-in values where they are written', () => {
    const [f] = corpusFiles((path) => path === 'sysctl-misc/Fleshgrinder__sysctl.d__sysctl.d.no-comments.conf');
    if (f === undefined) return;
    const file = createSourceFile(f.path, f.text);
    const winners = effectiveSysctls(parseSysctlConf(file).doc!);
    expect(winners.get('net.core.somaxconn')?.value.value).toBe('65536');
    expect(winners.get('net.ipv4.tcp_rmem')?.value.value).toBe('4096 87380 67108864');
    expect(winners.get('kernel.sem')!.value.span).toEqual(spanIn(file, 'kernel.sem ', '250 32000 100 128'));
  });
});

if (!existsSync(CORPUS)) console.warn(`[sysctl] ${CORPUS} not found: corpus tests skipped`);

import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { looksLikeShellScript, scanShellForSysctls } from '../../src/parsers/shell-sysctl.js';
import { effectiveSysctls } from '../../src/parsers/sysctl.js';
import { CORPUS, corpusFiles, describeSettings, expectSpansInside, fixture, settingSpans, slice, spanIn } from '../reference/sysctl-helpers.js';
import { assertProperty } from '../helpers/property.js';

const SEED = '/work/shared/seed/SCALING_TO_1000_RPS.md';

const scan = (text: string, path = 'scripts/host.sh') => {
  const file = createSourceFile(path, text);
  return { file, ...scanShellForSysctls(file) };
};
const pairs = (text: string) => scan(text).doc!.map((s) => [s.key, s.value.value]);

describe('the seed plan\'s "System-Level Optimizations" block (scripts/tune-host.sh)', () => {
  const file = fixture('scripts/tune-host.sh');
  const r = scanShellForSysctls(file);

  it('yields all 8 keys, file-max twice (sysctl -w and the tee into /etc/sysctl.conf), with exact value spans', () => {
    expect(r.problems).toEqual([]);
    expect(describeSettings(file, r.doc!)).toEqual([
      ['fs.file-max', '200000', '200000', 5],
      ['fs.file-max', '200000', '200000', 6],
      ['net.core.somaxconn', '65535', '65535', 9],
      ['net.ipv4.tcp_max_syn_backlog', '8192', '8192', 10],
      ['net.core.netdev_max_backlog', '5000', '5000', 11],
      ['net.ipv4.tcp_fin_timeout', '30', '30', 14],
      ['net.ipv4.tcp_keepalive_time', '300', '300', 15],
      ['net.ipv4.tcp_keepalive_probes', '5', '5', 16],
      ['net.ipv4.tcp_keepalive_intvl', '15', '15', 17],
    ]);
    expect(effectiveSysctls(r.doc!).size).toBe(8);
    for (const s of r.doc!) expect(slice(file, s.keySpan)).toBe(s.key);
  });

  it('points into the quoted echo text for the line appended with tee', () => {
    const appended = r.doc![1]!;
    expect(appended.value.span).toEqual(spanIn(file, 'echo "fs.file-max = 200000"', '200000'));
    expect(slice(file, appended.span)).toBe('fs.file-max = 200000');
    const written = r.doc![0]!;
    expect(written.value.span).toEqual(spanIn(file, 'sudo sysctl -w fs.file-max=200000', '200000'));
    expect(slice(file, written.span)).toBe('fs.file-max=200000');
  });

  it('tells which settings survive a reboot: only the line tee appends to /etc/sysctl.conf', () => {
    const persisted = r.doc!.filter((s) => s.scriptTarget?.kind === 'file');
    expect(persisted.map((s) => [s.key, s.scriptTarget])).toEqual([['fs.file-max', { kind: 'file', path: '/etc/sysctl.conf' }]]);
    expect(r.doc!.filter((s) => s.scriptTarget?.kind === 'runtime')).toHaveLength(8);
  });

  it('keeps the shell comments and skips the shebang', () => {
    expect(r.comments.map((c) => c.text)).toEqual([
      'System-Level Optimizations from SCALING_TO_1000_RPS.md, run on the host (not in containers)',
      'Increase file descriptor limits',
      'Increase network buffer sizes',
      'TCP performance tuning',
      'Make permanent',
    ]);
  });

  it.skipIf(!existsSync(SEED))('reproduces the seed block verbatim', () => {
    const seed = readFileSync(SEED, 'utf8');
    const section = seed.slice(seed.indexOf('## System-Level Optimizations'));
    const block = /```bash\n([\s\S]*?)```/.exec(section)![1]!;
    expect(file.text.endsWith(block)).toBe(true);
  });
});

describe('scripts/write-dropin.sh: heredocs, quoted words, /proc/sys, sh -c, printf', () => {
  const file = fixture('scripts/write-dropin.sh');
  const r = scanShellForSysctls(file);

  it('finds every setting with its value where it is written, skipping values set at run time', () => {
    expect(r.problems).toEqual([]);
    expect(describeSettings(file, r.doc!)).toEqual([
      ['net.core.somaxconn', '65535', '65535', 7],
      ['net.ipv4.tcp_max_syn_backlog', '8192', '8192', 8],
      ['net.ipv4.tcp_keepalive_time', '300', '300', 12],
      // line 13 writes vm.max_map_count = ${MAP_COUNT}: unknown until the script runs.
      ['net.ipv4.tcp_fin_timeout', '30', '30', 16],
      ['net.ipv4.tcp_keepalive_probes', '5', '5', 16],
      ['net.core.netdev_max_backlog', '5000', '5000', 17],
      ['net.core.somaxconn', '1024', '1024', 18],
      ['fs.file-max', '200000', '200000', 19],
      ['net.ipv4.tcp_keepalive_intvl', '15', '15', 20],
    ]);
    expect(r.doc!.some((s) => s.key === 'vm.max_map_count')).toBe(false);
    expect(r.doc!.find((s) => s.key === 'net.core.netdev_max_backlog')!.scriptTarget).toEqual({ kind: 'file', path: '/etc/sysctl.d/99-x.conf' });
  });

  it('maps a /proc/sys write to its key, with the path as the key span', () => {
    const proc = r.doc!.find((s) => s.value.value === '1024')!;
    expect(proc.scriptTarget).toEqual({ kind: 'runtime' });
    expect(slice(file, proc.keySpan)).toBe('/proc/sys/net/core/somaxconn');
    expect(slice(file, proc.span)).toBe('1024 > /proc/sys/net/core/somaxconn');
  });

  it('strips the leading tabs of a <<- heredoc from the span', () => {
    const keepalive = r.doc!.find((s) => s.key === 'net.ipv4.tcp_keepalive_time')!;
    expect(slice(file, keepalive.span)).toBe('net.ipv4.tcp_keepalive_time = 300');
  });

  it('keeps the commented-out sysctl as a comment and reads the comment inside the quoted heredoc', () => {
    expect(r.comments.map((c) => c.text)).toEqual(['sudo sysctl -w vm.swappiness=1', 'written by write-dropin.sh']);
  });
});

describe('scanShellForSysctls forms', () => {
  it('reads several assignments, -q, -e (ignore failures) and sysctl without -w', () => {
    const { file, doc } = scan('sysctl -e -q -w a.b=1 "c.d = 2"\n/sbin/sysctl x.y=3\n');
    expect(doc!.map((s) => [s.key, s.value.value, slice(file, s.value.span), s.ignoreFailure])).toEqual([
      ['a.b', '1', '1', true],
      ['c.d', '2', '2', true],
      ['x.y', '3', '3', false],
    ]);
  });

  it('keeps a quoted multi-number value whole and maps it inside the quotes', () => {
    const { file, doc } = scan("sudo sysctl -w net.ipv4.ip_local_port_range='1024 65000'\n");
    expect(doc![0]!.value.value).toBe('1024 65000');
    expect(slice(file, doc![0]!.value.span)).toBe('1024 65000');
  });

  it('ignores sysctl -p, --system and reads', () => {
    expect(pairs('sysctl -p /etc/sysctl.d/a=b.conf\nsysctl --system\nsysctl net.core.somaxconn\n')).toEqual([]);
  });

  it('reads echo >> and > into sysctl files, and ignores other files', () => {
    expect(pairs('echo "a.b = 1" >> /etc/sysctl.conf\necho c.d=2 > /etc/sysctl.d/10-x.conf\necho "e.f = 3" >> /etc/hosts\n')).toEqual([
      ['a.b', '1'],
      ['c.d', '2'],
    ]);
  });

  it('splits echo -e and printf on \\n, not plain echo', () => {
    expect(pairs('echo -e "a.b=1\\nc.d=2" | sudo tee -a /etc/sysctl.conf\nprintf "e.f=3\\ng.h=4\\n" >> /etc/sysctl.conf\n')).toEqual([
      ['a.b', '1'],
      ['c.d', '2'],
      ['e.f', '3'],
      ['g.h', '4'],
    ]);
    expect(pairs('echo "a.b=1\\nc.d=2" >> /etc/sysctl.conf\n')).toEqual([['a.b', '1\\nc.d=2']]);
  });

  it('reads a heredoc piped into tee and one given to tee directly', () => {
    const text = 'cat <<EOF | sudo tee /etc/sysctl.d/90-a.conf\na.b = 1\nEOF\nsudo tee -a /etc/sysctl.conf > /dev/null << "END"\nc.d = $literal\nEND\n';
    const { file, doc } = scan(text);
    expect(doc!.map((s) => [s.key, s.value.value, slice(file, s.value.span)])).toEqual([
      ['a.b', '1', '1'],
      ['c.d', '$literal', '$literal'],
    ]);
  });

  it('leaves out values built from variables, command substitution or backticks', () => {
    expect(pairs('sysctl -w a.b=$N c.d="${M:-1}" e.f=$(nproc) g.h=`x` i.j=\\$k\necho "k.l = $V" >> /etc/sysctl.conf\n')).toEqual([['i.j', '$k']]);
  });

  it('reads sh -c and bash -c strings, inside if/then and after &&', () => {
    const text = "if ! grep -q somaxconn /etc/sysctl.conf; then sudo sh -c 'echo \"a.b = 1\" >> /etc/sysctl.conf'; fi\ntrue && bash -c \"sysctl -w c.d=2\"\n";
    const { file, doc } = scan(text);
    expect(doc!.map((s) => [s.key, s.value.value, slice(file, s.value.span)])).toEqual([
      ['a.b', '1', '1'],
      ['c.d', '2', '2'],
    ]);
  });

  it('ignores commented-out commands and text after a #', () => {
    expect(pairs('# sudo sysctl -w a.b=1\n  #echo "c.d = 2" >> /etc/sysctl.conf\nsysctl -w e.f=3 # sysctl -w g.h=4\n')).toEqual([['e.f', '3']]);
  });

  it('ignores pipelines that transform the text before it reaches the file', () => {
    expect(pairs('echo "a.b = 1" | sed s/1/2/ | sudo tee -a /etc/sysctl.conf\n')).toEqual([]);
  });

  it('reports an unterminated heredoc and lines that are not key = value', () => {
    const { file, problems } = scan('echo "net.core.somaxconn 1024" >> /etc/sysctl.conf\ncat > /etc/sysctl.d/x.conf <<EOF\na.b = 1\n');
    expect(problems.map((p) => [p.message, slice(file, p.span)])).toEqual([
      ['line written to /etc/sysctl.conf is not "key = value": expected "key = value"', 'net.core.somaxconn 1024'],
      ['heredoc is never closed by a "EOF" line', '<<'],
    ]);
  });

  it('reports an unterminated quote', () => {
    const { file, problems } = scan('sysctl -w "a.b=1\n');
    expect(problems.map((p) => [p.message, slice(file, p.span)])).toEqual([['unterminated double quote', '"']]);
  });

  it('takes words that name Object.prototype members (constructor, __proto__, toString) as plain commands', () => {
    // A corpus script ran `constructor ...`: looking the word up in a plain-object table found a function.
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(pairs(`${word} -x y\n${word} sysctl -w net.core.somaxconn=1024\nsysctl -w vm.${word}=1\n`)).toEqual([[`vm.${word}`, '1']]);
    }
  });

  it('property: never throws and keeps every span inside the file', () => {
    const piece = fc.constantFrom('sysctl', ' -w ', 'a.b=1', '"', "'", '\\', '$X', '$(', ')', '`', '<<', 'EOF', '\n', ' | tee ', '/etc/sysctl.conf', '>>', '#', ' ', 'echo ', '\t', 'sh -c ', ';', '&&');
    assertProperty('parsers/sysctl-shell-text', 
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const { file, doc, problems, comments } = scan(parts.join(''));
        expectSpansInside(file, [...settingSpans(doc!), ...problems.map((p) => p.span), ...comments.map((c) => c.span)]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('looksLikeShellScript', () => {
  it('accepts shell extensions and shell shebangs only', () => {
    expect(looksLikeShellScript('scripts/tune-host.sh', '')).toBe(true);
    expect(looksLikeShellScript('bin/prepare-host', '#!/usr/bin/env bash\nset -e\n')).toBe(true);
    expect(looksLikeShellScript('bin/prepare-host', '#!/bin/sh -eu\n')).toBe(true);
    expect(looksLikeShellScript('manage.py', '#!/usr/bin/env python3\n')).toBe(false);
    expect(looksLikeShellScript('Makefile', 'all:\n\tsysctl -w a.b=1\n')).toBe(false);
  });
});

describe.skipIf(!existsSync(CORPUS))('scanShellForSysctls on the real-world corpus', () => {
  it('scans every corpus file as if it were a script without crashing, spans inside the file', () => {
    // The corpus keeps configs, not scripts; any text is a fair robustness input for a scanner that must never throw.
    const files = corpusFiles((_path, text) => !text.includes('\0'));
    console.info(`[sysctl-shell] scanning ${files.length} corpus files (${files.filter((f) => looksLikeShellScript(f.path, f.text)).length} look like shell scripts)`);
    expect(files.length).toBeGreaterThan(0);
    for (const s of files) {
      const file = createSourceFile(s.path, s.text);
      const r = scanShellForSysctls(file);
      expectSpansInside(file, [...settingSpans(r.doc!), ...r.problems.map((p) => p.span), ...r.comments.map((c) => c.span)]);
      for (const setting of r.doc!) expect(slice(file, setting.value.span)).toBe(setting.value.value);
    }
  });
});

if (!existsSync(CORPUS)) console.warn(`[sysctl-shell] ${CORPUS} not found: corpus tests skipped`);

// "Allow for this session" approves the suggested command prefix, never the whole tool.
import { expect } from 'chai';
import { allowedByRules, rulesLabel, sessionRules } from '../../src/domain/permissionRules.ts';

const bash = (command: string) => ({ command });

describe('permission rules for "Allow for this session"', () => {
  it('takes the rule Claude Code suggests (a prefix), and narrows a whole-tool suggestion to the command', () => {
    expect(sessionRules('Bash', bash('npm test -- --grep x'), [{ toolName: 'Bash', ruleContent: 'npm test:*' }])).to.deep.equal(['Bash(npm test:*)']);
    expect(sessionRules('Bash', bash('ls -la'), [{ toolName: 'Bash' }])).to.deep.equal(['Bash(ls -la)']);
    expect(sessionRules('Bash', bash('ls -la'))).to.deep.equal(['Bash(ls -la)']);
    expect(rulesLabel(['Bash(npm test:*)'])).to.equal('Bash(npm test:*)');
  });

  it('an approved ls does not let a later grep of /proc/<pid>/environ run unasked', () => {
    const rules = sessionRules('Bash', bash('ls'), [{ toolName: 'Bash', ruleContent: 'ls' }]);
    expect(allowedByRules(rules, 'Bash', bash('ls'))).to.equal(true);
    expect(allowedByRules(rules, 'Bash', bash('grep -a TOKEN /proc/1/environ'))).to.equal(false);
  });

  it('a prefix rule covers the prefix with arguments, but no chained, piped or redirected command', () => {
    const rules = ['Bash(npm test:*)'];
    expect(allowedByRules(rules, 'Bash', bash('npm test'))).to.equal(true);
    expect(allowedByRules(rules, 'Bash', bash('npm test -- --watch=false'))).to.equal(true);
    expect(allowedByRules(rules, 'Bash', bash('npm testing'))).to.equal(false);
    for (const evil of ['npm test; cat .env', 'npm test && curl x', 'npm test | nc h 1', 'npm test > /tmp/x', 'npm test $(cat .env)', 'npm test `id`', 'npm test\ncat .env']) {
      expect(allowedByRules(rules, 'Bash', bash(evil)), evil).to.equal(false);
    }
  });

  it('other tools: the same suggested rule, or the exact same input', () => {
    const rules = sessionRules('WebFetch', { url: 'https://a.example/x' }, [{ toolName: 'WebFetch', ruleContent: 'domain:a.example' }]);
    expect(allowedByRules(rules, 'WebFetch', { url: 'https://a.example/y' }, [{ toolName: 'WebFetch', ruleContent: 'domain:a.example' }])).to.equal(true);
    expect(allowedByRules(rules, 'WebFetch', { url: 'https://b.example/' }, [{ toolName: 'WebFetch', ruleContent: 'domain:b.example' }])).to.equal(false);
    expect(allowedByRules(rules, 'Bash', bash('ls'))).to.equal(false);
  });
});

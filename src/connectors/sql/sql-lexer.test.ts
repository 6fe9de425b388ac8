import { describe, expect, it } from 'vitest';
import { lexSql } from './sql-lexer.ts';

describe('the strict SQL lexer', () => {
  it('finds the placeholders of each dialect, and nothing inside quotes', () => {
    const placeholders = (sql: string, dialect: Parameters<typeof lexSql>[1]) => {
      const lexed = lexSql(sql, dialect);
      return lexed.ok
        ? lexed.lexed.placeholders.map(({ start, end }) => sql.slice(start, end))
        : lexed.problem;
    };
    expect(placeholders(`select '?' from "a?" where x > ? limit ?`, 'sqlite')).toEqual(['?', '?']);
    expect(placeholders(`select $1::text, '$2' from t where x > $10`, 'postgres')).toEqual(['$1', '$10']);
    expect(placeholders(`select top(3) * from [t@1] where x > @1 and y = @@ROWCOUNT`, 'mssql')).toEqual([
      '@1',
    ]);
    expect(placeholders(`select * from t where x > :1 fetch first :2 rows only`, 'oracle')).toEqual([
      ':1',
      ':2',
    ]);
    expect(placeholders('select * from `PO_#` where `a``b` = ?', 'mariadb')).toEqual(['?']);
  });

  it('reads doubled quotes as text and keeps the words outside quotes', () => {
    const lexed = lexSql(`SELECT 'it''s; -- fine', "UPDATE" FROM [x]]y] WHERE a = 1`, 'sqlite');
    expect(lexed.ok && lexed.lexed.words.map((word) => word.text)).toEqual(['SELECT', 'FROM', 'WHERE', 'A']);
  });

  it('says what it refuses and where', () => {
    expect(lexSql('select 1 -- x', 'postgres')).toEqual({ ok: false, at: 9, problem: 'a "--" comment' });
    expect(lexSql('select "PO_#" from t', 'postgres').ok).toBe(true);
    expect(lexSql('select PO_# from t', 'postgres')).toMatchObject({ ok: false, at: 10 });
    expect(lexSql("select 'a\\' from t", 'mysql')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/backslash/),
    });
    expect(lexSql("select 'a\\' from t", 'sqlite').ok).toBe(true);
  });
});

select $$a; b$$ as untagged;
create function pg_temp.tagged() returns text language plpgsql as $fn$
begin
  -- only its own tag ends this body: $$ and $q$ are strings inside it
  return $$it's; $fn not yet$$ || $q$ $a$; $$ $q$;
end
$fn$;
select pg_temp.tagged();
select $A$ ; $a$ ; $A$ as case_sensitive_tags;
select $_$;$_$ as underscore_tag, $x1$;$x1$ as digit_in_tag;
prepare two(int, int) as select $1 + $2; execute two(1, 2); deallocate two;
create temp table t$$x (a$$ int, "b$$" int); insert into t$$x values (1, 2);
select a$$, "b$$" from t$$x; select 'after identifiers with dollars';

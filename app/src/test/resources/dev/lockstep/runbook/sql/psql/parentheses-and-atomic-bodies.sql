create temp table rule_source (a int);
create temp table rule_target (a int);
-- a rule's actions: psql keeps semicolons inside parentheses
create rule fan_out as on insert to rule_source do also (
  insert into rule_target values (new.a);
  insert into rule_target values (new.a + 1)
);
insert into rule_source values (1);
-- SQL-standard bodies: psql keeps BEGIN ATOMIC ... END together, CASE ... END inside it
create function pg_temp.sign_of(x int) returns text language sql
begin atomic
  select case when x > 0 then 'positive;' when x < 0 then 'negative;' else 'zero' end;
end;
create or replace function pg_temp.twice(x int) returns int language sql
begin atomic
  select x * 2;
end;
create procedure pg_temp.fill() language sql
begin atomic
  insert into rule_target values (10);
  insert into rule_target values (11);
end;
call pg_temp.fill();
-- BEGIN outside a routine is a transaction
begin; select pg_temp.sign_of(-1), pg_temp.twice(2); end;
do $$ begin perform 1; end $$;

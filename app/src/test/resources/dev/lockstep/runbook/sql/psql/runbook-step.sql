-- what a runbook step looks like: placeholders and casts are not split points either
create temp table customer (id bigint primary key, full_name text, display_name text, doc jsonb);
insert into customer values (1, E'O\'Brien; Pat', null, '{"k": 1}'), (2, 'D''Arcy; Sam', null, '{}');
update customer set display_name = full_name where id > 0 and id <= 2 and doc ? 'k';
select full_name::text, $$ :to; $$, ':from;' from customer where display_name is not null;

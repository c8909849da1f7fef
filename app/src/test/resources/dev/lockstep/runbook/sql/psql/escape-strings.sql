-- E-strings take backslash escapes: \' and \\ do not end them
select E'it\'s; fine' as escaped_quote;
select e'back\\'; select 'after an escaped backslash';
select E'\\\'; still one' as both;
select E'it''s; doubled' as doubled;
-- only an E standing alone starts one: name'a\' is a typed literal with a standard string
select name'a\'; select 'after a typed literal';

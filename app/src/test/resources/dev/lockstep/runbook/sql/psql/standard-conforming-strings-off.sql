-- psql reads the setting from the server; Lockstep's lexer follows SET and RESET in the text
set standard_conforming_strings = off;
select 'it\'s; fine' as escaped_quote;
select 'back\\'; select N'n\'; n';
select B'1', 'x' as bits_take_no_escapes;
set session standard_conforming_strings to 'on';
select 'a\'; select 'b';
set standard_conforming_strings = false;
select 'c\'; still c';
reset standard_conforming_strings;
select 'd\'; select 'e';

<?php
define( 'DB_NAME', 'database_name_here' );
